"""One router per area; ``graphsvc.api.app.create_app`` includes them."""
