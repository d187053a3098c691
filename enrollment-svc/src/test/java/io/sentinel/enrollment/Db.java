package io.sentinel.enrollment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestPostgres;

/**
 * Direct connections to the module's test database, over TLS verified like the service's own: as
 * the superuser {@code postgres} (to tamper with what the service cannot) or as the service's role.
 */
public final class Db {
    public static final String DATABASE = "enrollment_test";
    public static final String SUPERUSER = "postgres";
    public static final String APP = SentinelTestResource.APP_ROLE;

    private Db() {
    }

    public static Connection connect(String role) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", role);
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslrootcert", TestPostgres.caCertificate());
        Connection c = new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + TestPostgres.port() + "/" + DATABASE, p);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver refused the URL");
        }
        return c;
    }

    /** Rows of a query as the superuser, each row's columns as strings. */
    public static List<List<String>> rows(String sql, Object... args) {
        try (Connection c = connect(SUPERUSER); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            List<List<String>> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                int n = r.getMetaData().getColumnCount();
                while (r.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(r.getString(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs statements as {@code role}, in one session; fails with the database's error. */
    public static void execute(String role, String... statements) throws SQLException {
        try (Connection c = connect(role); var s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
