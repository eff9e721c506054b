package io.eventline.localstack;

import io.eventline.launcher.Command;
import io.eventline.launcher.LaunchException;
import io.eventline.launcher.ProcessGuard;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * A PostgreSQL server: either a real embedded one (binaries from Maven Central, a current major
 * version) in a throwaway directory, or an existing server named by {@code EVENTLINE_DB_URL}.
 */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final String baseUrl;
    private final String username;
    private final String password;
    private final RunDirectory run;
    private volatile Process watchdog;

    private PostgresServer(EmbeddedPostgres embedded, String baseUrl, String username, String password,
            RunDirectory run, Process watchdog) {
        this.embedded = embedded;
        this.baseUrl = baseUrl;
        this.username = username;
        this.password = password;
        this.run = run;
        this.watchdog = watchdog;
    }

    static PostgresServer start(RunDirectory run) {
        Path dataDir = run.resolve("postgres");
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // A development and test database: durability against an OS crash is not
                    // needed, speed is. A process restart still loses nothing committed.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
        } catch (IOException e) {
            throw new LocalStackException("PostgreSQL did not start (data in " + dataDir + "): " + e.getMessage(), e);
        }
        long postmaster = readPostmasterPid(dataDir);
        run.recordPid(postmaster);
        Process watchdog = ProcessGuard.guard("INT", postmaster); // INT: fast shutdown, clients or not
        String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/";
        return new PostgresServer(pg, url, "postgres", "postgres", run, watchdog);
    }

    /**
     * An existing server; {@code jdbcUrl} names the database. Each service gets its own schema in
     * it (created on first use), so their Flyway histories never meet.
     */
    static PostgresServer external(String jdbcUrl, String username, String password) {
        return new PostgresServer(null, jdbcUrl, username, password, null, null);
    }

    private static long readPostmasterPid(Path dataDir) {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the embedded server with a fast shutdown (SIGINT: open sessions are cut), for fault
     * tests. Its data stays; {@link #start()} brings it back on the same port.
     */
    public synchronized void stop() {
        Path data = requireEmbeddedData();
        long pid = readPostmasterPid(data);
        restartCommand = postmasterCommand(pid);
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new LocalStackException("no PostgreSQL postmaster with pid " + pid));
        signal("INT", pid);
        try {
            postmaster.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new LocalStackException("PostgreSQL (pid " + pid + ") did not stop within 60 s", e);
        }
    }

    /**
     * Starts a server stopped by {@link #stop()} again with the postmaster's own options (the same
     * binary, data, port and settings), and waits until it accepts connections.
     */
    public synchronized void start() {
        Path data = requireEmbeddedData();
        if (restartCommand == null) {
            throw new IllegalStateException("start() follows stop()");
        }
        // As zonky does: pg_ctl, which refuses to run as root, runs in a user namespace where we are not.
        List<String> command = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        List<String> options = restartCommand.subList(restartCommand.indexOf("-D") + 2, restartCommand.size());
        command.addAll(List.of(Path.of(restartCommand.get(0)).resolveSibling("pg_ctl").toString(), "-D", data.toString(),
                "-o", String.join(" ", options), "-w", "-t", "60", "-l", data.resolve("restarts.log").toString(), "start"));
        Command.Result pgCtl;
        try {
            pgCtl = Command.of(command).run(Duration.ofSeconds(90));
        } catch (LaunchException e) {
            throw new LocalStackException("cannot start PostgreSQL again: " + e.getMessage(), e);
        }
        if (!pgCtl.ok()) {
            throw new LocalStackException("PostgreSQL did not start again (" + String.join(" ", command) + "): " + pgCtl.output());
        }
        long pid = readPostmasterPid(data);
        run.recordPid(pid);
        Process old = watchdog;
        watchdog = ProcessGuard.guard("INT", pid);
        old.destroy();
    }

    private List<String> restartCommand;

    private Path requireEmbeddedData() {
        if (embedded == null) {
            throw new IllegalStateException("only the embedded PostgreSQL can be stopped and started");
        }
        return run.resolve("postgres");
    }

    /** The running postmaster's command line, from /proc (Linux). */
    private static List<String> postmasterCommand(long pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return List.of(cmdline.split("\0"));
        } catch (IOException e) {
            throw new LocalStackException("cannot read the postmaster's command line (/proc/" + pid + "/cmdline)", e);
        }
    }

    private static void signal(String name, long pid) {
        Command.Result kill;
        try {
            kill = Command.of("kill", "-" + name, Long.toString(pid)).run(Duration.ofSeconds(10));
        } catch (LaunchException e) {
            throw new LocalStackException("cannot signal " + pid + ": " + e.getMessage(), e);
        }
        if (!kill.ok()) {
            throw new LocalStackException("kill -" + name + " " + pid + " failed: " + kill.output().trim());
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public int port() {
        return embedded != null ? embedded.getPort() : -1;
    }

    /**
     * The JDBC URL of the named database, created on first use; on an existing server, the URL of a
     * schema of that name in its database.
     */
    public String jdbcUrl(String database) {
        requirePlainName(database);
        if (embedded == null) {
            ensureSchema(database);
            return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + database;
        }
        ensureDatabase(database);
        return baseUrl + database;
    }

    private static void requirePlainName(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
    }

    private void ensureSchema(String schema) {
        try (Connection c = DriverManager.getConnection(baseUrl, username, password);
                Statement s = c.createStatement()) {
            s.execute("create schema if not exists " + schema);
        } catch (SQLException e) {
            throw new LocalStackException("cannot create schema " + schema + " at " + baseUrl + ": " + e.getMessage(), e);
        }
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    private void ensureDatabase(String database) {
        try (Connection c = DriverManager.getConnection(baseUrl + "postgres", username, password);
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'");
            if (!rs.next()) {
                s.execute("create database " + database);
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created concurrently by another caller
                throw new LocalStackException("cannot create database " + database + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                watchdog.destroy();
            }
        }
    }
}
