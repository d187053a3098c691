package io.sentinel.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Entry point of benchmarks.jar: the usual JMH command line, except that the PostGIS benchmark is
 * left out, with a message, when the database is unreachable or cannot have PostGIS.
 */
public final class BenchMain {

    static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    private BenchMain() {
    }

    static String jdbcUrl() {
        return System.getProperty("sentinel.bench.jdbcUrl", DEFAULT_JDBC_URL);
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        cmd.getExcludes().forEach(options::exclude);
        String unavailable = postGisUnavailable(jdbcUrl());
        if (unavailable != null) {
            System.out.println("# Skipping postgisStContains: " + unavailable
                    + " (set -Dsentinel.bench.jdbcUrl=jdbc:postgresql://HOST:PORT/DB?user=USER)");
            options.exclude("ZoneEvaluationBenchmark.postgisStContains");
        }
        new Runner(options.build()).run();
    }

    /** Null when the database answers and PostGIS is installed or installable there, else why not. */
    static String postGisUnavailable(String url) {
        try (Connection c = DriverManager.getConnection(url);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")) {
            rs.next();
            return rs.getInt(1) == 0 ? "PostGIS is not available on " + url + " (apt-get install postgresql-15-postgis-3)" : null;
        } catch (SQLException e) {
            return "cannot connect to " + url + ": " + e.getMessage();
        }
    }
}
