package io.sentinel.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The project's PostgreSQL cluster for tests, driven through scripts/postgres.sh. */
public final class TestPostgres {
    private TestPostgres() {
    }

    public static int port() {
        String p = System.getenv("SENTINEL_PG_PORT");
        return p == null || p.isBlank() ? 55432 : Integer.parseInt(p);
    }

    public static Path repoRoot() {
        String root = System.getProperty("sentinel.repo.root");
        Path p = root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
        if (!Files.exists(p.resolve("scripts/postgres.sh"))) {
            throw new IllegalStateException("cannot find scripts/postgres.sh under " + p + "; set -Dsentinel.repo.root");
        }
        return p;
    }

    public static synchronized void ensureDatabase(String database) {
        run("start");
        run("createdb", database);
    }

    public static void run(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(repoRoot().resolve("scripts/postgres.sh").toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/postgres.sh " + String.join(" ", args) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
