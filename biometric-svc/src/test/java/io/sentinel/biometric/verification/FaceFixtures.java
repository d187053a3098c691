package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Real models and photos from scripts/fetch-face-models.sh, shared by the verification tests. */
public final class FaceFixtures {
    private static Path dir;
    private static String fetchFailure;
    private static FaceModels models;

    private FaceFixtures() {
    }

    static synchronized Path dir() {
        if (dir == null && fetchFailure == null) {
            fetch();
        }
        assumeTrue(fetchFailure == null, () -> "face models unavailable, tests skipped: " + fetchFailure);
        return dir;
    }

    static synchronized FaceModels models() {
        if (models == null) {
            models = FaceModels.load(dir());
        }
        return models;
    }

    private static void fetch() {
        Path root = Path.of(System.getProperty("sentinel.repo.root", "/work/main"));
        Path script = root.resolve("scripts/fetch-face-models.sh");
        if (!Files.isRegularFile(script)) {
            fetchFailure = "no " + script;
            return;
        }
        try {
            Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fetchFailure = script + " failed: " + out;
                return;
            }
            String[] lines = out.split("\n");
            dir = Path.of(lines[lines.length - 1].trim());
        } catch (IOException e) {
            fetchFailure = script + " could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fetchFailure = "interrupted";
        }
    }

    static byte[] sampleBytes(int n) {
        try {
            return Files.readAllBytes(dir().resolve("sample" + n + ".jpg"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage sample(int n) {
        try {
            return ImageIO.read(dir().resolve("sample" + n + ".jpg").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A face of a group photo, with enough surrounding context to look like a selfie. */
    public record FaceCrop(int sample, int index, FaceBox box, BufferedImage image) {
        String name() {
            return "sample" + sample + "#" + index + "@" + Math.round(centreX()) + "," + Math.round(centreY());
        }

        float centreX() {
            return (box.x1() + box.x2()) / 2;
        }

        float centreY() {
            return (box.y1() + box.y2()) / 2;
        }
    }

    /** Every face the detector finds in the six samples, cropped at 1.6× its box so that no neighbour's face shows. */
    public static List<FaceCrop> faceCrops() {
        FaceDetector detector = new FaceDetector(models());
        List<FaceCrop> crops = new ArrayList<>();
        for (int s = 1; s <= 6; s++) {
            BufferedImage img = sample(s);
            List<FaceBox> faces = detector.detect(RgbImage.of(img));
            for (int i = 0; i < faces.size(); i++) {
                FaceBox f = faces.get(i);
                crops.add(new FaceCrop(s, i, f, ImageAlterations.cropAround(img, f, 1.6f)));
            }
        }
        return crops;
    }

    static BufferedImage copy(BufferedImage src) {
        return ImageAlterations.copy(src);
    }

    static BufferedImage scaled(BufferedImage src, double factor) {
        return ImageAlterations.scaled(src, factor);
    }

    static BufferedImage rotated(BufferedImage src, double degrees) {
        return ImageAlterations.rotated(src, degrees);
    }

    static BufferedImage darkened(BufferedImage src, double factor) {
        return ImageAlterations.darkened(src, factor);
    }

    public static byte[] jpeg(BufferedImage img, float quality) {
        return ImageAlterations.jpeg(img, quality);
    }
}
