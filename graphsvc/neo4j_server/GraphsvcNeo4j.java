/*
 * graphsvc's launcher for a real Neo4j Community DBMS with its Bolt server.
 *
 * Started (and compiled on first use) by graphsvc.neo4j_server; not meant to be run by hand.
 *
 *   java -cp "<launcher.jar>:<lib>/*.jar" GraphsvcNeo4j home=<dir> port=<int> [pagecache=<bytes>] [host=127.0.0.1]
 *        [train=true] [import=<file>] [plugins=<dir>] [unrestricted=<procedure glob>,...]
 *
 * train=true is the one-off run that graphsvc uses to record a class-data-sharing archive
 * (-XX:ArchiveClassesAtExit): it starts the DBMS in a scratch home, runs a few Cypher statements, shuts
 * down and exits, so that later starts load Neo4j's classes from the archive (about twice as fast).
 *
 * import=<file> runs Neo4j's offline importer first, in this JVM, with the arguments in the file (one per line):
 * graphsvc's bulk load, on a stopped server whose database was set aside (exit code 3 if the import fails).
 *
 * While it runs, a bulk load can also be asked of the running launcher, which keeps its JVM (warm, its classes
 * loaded and compiled): graphsvc writes the arguments file, then the file data/graphsvc-import.request naming it.
 * The launcher shuts its DBMS down, sets the database's store and transaction logs aside, runs the importer, puts
 * them back if it failed (else deletes them), builds the DBMS again on the same port and writes the importer's
 * exit code into data/graphsvc-import.result (0: imported).
 *
 * plugins= names the plugins folder and unrestricted= the procedures allowed full access: graphsvc passes them
 * for the Graph Data Science plugin (`graphsvc neo4j start --with-gds`), whose jars are also on the class path.
 *
 * The password of user "neo4j" is read from the environment variable GRAPHSVC_NEO4J_PASSWORD
 * (never from the command line, so it does not show in `ps`):
 *  - on a fresh store it is written with Neo4j's own `set-initial-password` admin command before the DBMS
 *    starts (data/dbms/auth.ini, imported when the system database is created), password change not
 *    required;
 *  - on an existing store it is compared with a salted PBKDF2 digest that this launcher keeps in
 *    data/graphsvc-password; only when it differs is it applied with ALTER USER on the system database
 *    (a slow first Cypher command, so restarts with the same password skip it).
 *
 * When the DBMS is up, one line "GRAPHSVC_NEO4J_READY <uri>" is printed on stdout.
 * SIGTERM/SIGINT run a shutdown hook that shuts the DBMS down cleanly (checkpoint, store closed).
 */

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.logging.log4j.Log4jLogProvider;

import picocli.CommandLine;

public final class GraphsvcNeo4j {
    static final String PASSWORD_ENV = "GRAPHSVC_NEO4J_PASSWORD";
    static final String READY_MARKER = "GRAPHSVC_NEO4J_READY";

    private static final Object LOCK = new Object();
    private static DatabaseManagementService dbms; // guarded by LOCK
    private static boolean stopping; // guarded by LOCK

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                die("bad argument (expected key=value): " + arg);
            }
            opts.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path home = Path.of(require(opts, "home")).toAbsolutePath();
        int port = Integer.parseInt(require(opts, "port"));
        long pagecache = Long.parseLong(opts.getOrDefault("pagecache", String.valueOf(256L << 20)));
        String host = opts.getOrDefault("host", "127.0.0.1");
        boolean train = Boolean.parseBoolean(opts.getOrDefault("train", "false"));
        // read_only=true: every user database refuses writes (as an operator's server.databases.default_to_read_only)
        boolean readOnly = Boolean.parseBoolean(opts.getOrDefault("read_only", "false"));

        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            die(PASSWORD_ENV + " is not set");
        }
        if (password.length() < 8) {
            die(PASSWORD_ENV + " must be at least 8 characters (Neo4j's minimum)");
        }

        Path data = home.resolve("data");
        Files.createDirectories(data);
        Files.createDirectories(home.resolve("logs"));
        Path digestFile = data.resolve("graphsvc-password");
        boolean fresh = !Files.isDirectory(data.resolve("databases").resolve(GraphDatabaseSettings.SYSTEM_DATABASE_NAME));
        if (fresh) {
            setInitialPassword(home, password);
        }
        if (opts.containsKey("import")) {
            runImport(home, Path.of(opts.get("import")));
        }

        // Registered before the DBMS exists: a SIGTERM that arrives while it is starting waits for the start
        // to finish and then shuts it down, instead of leaving a half-open store behind.
        Runtime.getRuntime().addShutdownHook(new Thread(GraphsvcNeo4j::shutdown, "graphsvc-neo4j-shutdown"));

        long t0 = System.nanoTime();
        SocketAddress bolt = new SocketAddress(host, port);
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.data_directory, home.resolve("data"))
                .setConfig(GraphDatabaseSettings.logs_directory, home.resolve("logs"))
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(host))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.read_only_database_default, readOnly)
                // keep the transaction logs of a test/dev server small
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "256M size")
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // the defaults (5 s each) make every stop take 10 s longer; the databases are already closed
                // and checkpointed by the time these waits happen
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .setUserLogProvider(new Log4jLogProvider(System.out));
        if (opts.containsKey("plugins")) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(opts.get("plugins")).toAbsolutePath());
        }
        if (opts.containsKey("unrestricted")) {
            builder.setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of(opts.get("unrestricted").split(",")));
        }

        synchronized (LOCK) {
            if (stopping) {
                return;
            }
            try {
                dbms = builder.build();
                System.out.println("graphsvc-neo4j: dbms built in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
                if (fresh) {
                    writeDigest(digestFile, password);
                } else if (!digestMatches(digestFile, password)) {
                    alterPassword(password);
                    writeDigest(digestFile, password);
                    System.out.println("graphsvc-neo4j: password of user neo4j updated from " + PASSWORD_ENV);
                }
            } catch (Throwable e) {
                System.err.println("graphsvc-neo4j: start failed");
                e.printStackTrace();
                System.err.flush();
                if (dbms != null) {
                    try {
                        dbms.shutdown();
                    } catch (Throwable ignored) {
                        // already failing
                    }
                    dbms = null;
                }
                Runtime.getRuntime().halt(1);
            }
        }
        if (train) {
            exercise();
            shutdown();
            System.out.println("graphsvc-neo4j: training run done");
            System.out.flush();
            System.exit(0);
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        System.out.println(READY_MARKER + " bolt://" + host + ":" + port + " started_ms=" + ms);
        System.out.flush();
        Thread watcher = new Thread(() -> watchImports(home, builder), "graphsvc-neo4j-imports");
        watcher.setDaemon(true);
        watcher.start();

        new CountDownLatch(1).await(); // the DBMS' own threads serve Bolt; exit comes through the hook
    }

    /** Training run only: typical statements, so that their classes end up in the CDS archive. */
    private static void exercise() {
        var db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("CREATE CONSTRAINT graphsvc_training IF NOT EXISTS "
                + "FOR (n:GraphsvcTraining) REQUIRE n.id IS UNIQUE");
        db.executeTransactionally("UNWIND range(1, 200) AS i MERGE (n:GraphsvcTraining {id: i}) "
                + "SET n.name = 'n' + i, n.at = datetime()");
        db.executeTransactionally("UNWIND range(1, 199) AS i MATCH (a:GraphsvcTraining {id: i}), "
                + "(b:GraphsvcTraining {id: i + 1}) MERGE (a)-[r:NEXT]->(b) SET r.w = i");
        db.executeTransactionally("MATCH p = (:GraphsvcTraining {id: 1})-[:NEXT*1..5]->(m) "
                + "RETURN count(p), collect(m.name)[0..3]");
        db.executeTransactionally("MATCH (n:GraphsvcTraining) WITH n LIMIT 50 DETACH DELETE n");
        var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally("SHOW DATABASES");
        alterPassword("graphsvc-training-" + System.nanoTime());
    }

    private static void shutdown() {
        synchronized (LOCK) {
            stopping = true;
            if (dbms != null) {
                System.out.println("graphsvc-neo4j: shutting down");
                System.out.flush();
                try {
                    dbms.shutdown();
                } catch (Throwable e) {
                    e.printStackTrace();
                }
                dbms = null;
                System.out.println("graphsvc-neo4j: stopped");
                System.out.flush();
            }
        }
    }

    /**
     * `neo4j-admin database import full` in this JVM, before the DBMS starts (graphsvc's bulk load): one argument
     * per line of the file. Exits with code 3 if the importer fails, so that graphsvc puts the database back.
     */
    private static void runImport(Path home, Path argumentsFile) throws Exception {
        String[] arguments = Files.readAllLines(argumentsFile, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isEmpty()).toArray(String[]::new);
        long t0 = System.nanoTime();
        int rc = AdminTool.execute(new ExecutionContext(home, home.resolve("conf")), arguments);
        System.out.flush();
        if (rc != 0) {
            System.err.println("graphsvc-neo4j: import failed with exit code " + rc);
            System.err.flush();
            System.exit(3);
        }
        System.out.println("graphsvc-neo4j: imported in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
    }

    /** Serves the bulk loads asked of the running launcher (see the class comment), one at a time. */
    private static void watchImports(Path home, DatabaseManagementServiceBuilder builder) {
        Path data = home.resolve("data");
        Path request = data.resolve("graphsvc-import.request");
        Path result = data.resolve("graphsvc-import.result");
        while (true) {
            try {
                Thread.sleep(50);
                if (!Files.isRegularFile(request)) {
                    continue;
                }
                Path arguments = Path.of(Files.readString(request, StandardCharsets.UTF_8).trim());
                Files.delete(request);
                int rc = reimport(home, arguments, builder);
                Path tmp = data.resolve("graphsvc-import.result.tmp");
                Files.writeString(tmp, rc + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, result, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                e.printStackTrace();
                System.err.flush();
                Runtime.getRuntime().halt(4); // the DBMS may be down: graphsvc sees the server gone
            }
        }
    }

    /** Shut the DBMS down, import with the database set aside (put back if the importer fails), build it again. */
    private static int reimport(Path home, Path argumentsFile, DatabaseManagementServiceBuilder builder)
            throws Exception {
        synchronized (LOCK) {
            if (stopping || dbms == null) {
                return 5;
            }
            long t0 = System.nanoTime();
            dbms.shutdown();
            dbms = null;
            Path data = home.resolve("data");
            List<Path> held = List.of(data.resolve("databases").resolve(GraphDatabaseSettings.DEFAULT_DATABASE_NAME),
                    data.resolve("transactions").resolve(GraphDatabaseSettings.DEFAULT_DATABASE_NAME));
            Path aside = data.resolve(".before-bulk-" + System.currentTimeMillis());
            Files.createDirectories(aside);
            for (int i = 0; i < held.size(); i++) {
                if (Files.exists(held.get(i))) {
                    Files.move(held.get(i), aside.resolve(String.valueOf(i)));
                }
            }
            String[] arguments = Files.readAllLines(argumentsFile, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isEmpty()).toArray(String[]::new);
            int rc;
            try {
                rc = AdminTool.execute(new ExecutionContext(home, home.resolve("conf")), arguments);
            } catch (Throwable e) {
                e.printStackTrace();
                rc = 3;
            }
            System.out.flush();
            for (int i = 0; i < held.size(); i++) {
                Path kept = aside.resolve(String.valueOf(i));
                if (rc != 0 && Files.exists(kept)) {
                    deleteTree(held.get(i));
                    Files.move(kept, held.get(i));
                }
            }
            deleteTree(aside);
            dbms = builder.build();
            System.out.println("graphsvc-neo4j: " + (rc == 0 ? "imported" : "import failed (exit code " + rc
                    + "), database put back") + ", DBMS built again in "
                    + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
            System.out.flush();
            return rc;
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** What `neo4j-admin dbms set-initial-password` does: writes data/dbms/auth.ini for the first start. */
    private static void setInitialPassword(Path home, String password) {
        Path conf = home.resolve("conf"); // no neo4j.conf there: defaults relative to home, as in the builder
        var command = new SetInitialPasswordCommand(new ExecutionContext(home, conf));
        int rc = new CommandLine(command).execute("--", password);
        if (rc != 0) {
            throw new IllegalStateException("set-initial-password failed with exit code " + rc);
        }
    }

    private static void alterPassword(String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // the digest file was lost but the password is already the right one
            if (!samePassword(e)) {
                throw e;
            }
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt) throws Exception {
        var spec = new PBEKeySpec(password.toCharArray(), salt, 100_000, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    private static boolean digestMatches(Path file, String password) throws Exception {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(":");
        if (parts.length != 3 || !parts[0].equals("pbkdf2-sha256-100000")) {
            return false;
        }
        HexFormat hex = HexFormat.of();
        return MessageDigest.isEqual(hex.parseHex(parts[2]), pbkdf2(password, hex.parseHex(parts[1])));
    }

    private static void writeDigest(Path file, String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        HexFormat hex = HexFormat.of();
        String line = "pbkdf2-sha256-100000:" + hex.formatHex(salt) + ":" + hex.formatHex(pbkdf2(password, salt)) + "\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, line, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean samePassword(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("Old password and new password cannot be the same")) {
                return true;
            }
        }
        return false;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            die("missing argument " + key + "=...");
        }
        return v;
    }

    private static void die(String message) {
        System.err.println("graphsvc-neo4j: " + message);
        System.err.flush();
        System.exit(2);
    }
}
