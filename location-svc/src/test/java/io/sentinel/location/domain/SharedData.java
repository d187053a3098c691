package io.sentinel.location.domain;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the real-data folder ({@code <repo root>/../shared/data}) or skips the calling test. */
public final class SharedData {

    private SharedData() {
    }

    /** The file under the shared data folder; the test is skipped with a reason when it is absent. */
    public static Path require(String relative) {
        String root = System.getProperty("sentinel.repo.root", "/work/main");
        Path file = Path.of(root).resolve("../shared/data").resolve(relative).normalize();
        Assumptions.assumeTrue(Files.isRegularFile(file),
                "shared data file " + file + " is missing; set -Dsentinel.repo.root to the repository root "
                        + "whose ../shared/data holds it");
        return file;
    }
}
