package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Real models and photos from scripts/fetch-face-models.sh, shared by the verification tests. */
final class FaceFixtures {
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
    record FaceCrop(int sample, int index, FaceBox box, BufferedImage image) {
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
    static List<FaceCrop> faceCrops() {
        FaceDetector detector = new FaceDetector(models());
        List<FaceCrop> crops = new ArrayList<>();
        for (int s = 1; s <= 6; s++) {
            BufferedImage img = sample(s);
            List<FaceBox> faces = detector.detect(RgbImage.of(img));
            for (int i = 0; i < faces.size(); i++) {
                FaceBox f = faces.get(i);
                float side = 1.6f * f.sizePx();
                int cx = Math.round((f.x1() + f.x2()) / 2);
                int cy = Math.round((f.y1() + f.y2()) / 2);
                int x0 = Math.max(0, Math.round(cx - side / 2));
                int y0 = Math.max(0, Math.round(cy - side / 2));
                int x1 = Math.min(img.getWidth(), Math.round(cx + side / 2));
                int y1 = Math.min(img.getHeight(), Math.round(cy + side / 2));
                crops.add(new FaceCrop(s, i, f, copy(img.getSubimage(x0, y0, x1 - x0, y1 - y0))));
            }
        }
        return crops;
    }

    static BufferedImage copy(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    static BufferedImage scaled(BufferedImage src, double factor) {
        int w = (int) Math.round(src.getWidth() * factor);
        int h = (int) Math.round(src.getHeight() * factor);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    static BufferedImage rotated(BufferedImage src, double degrees) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, AffineTransform.getRotateInstance(Math.toRadians(degrees),
                src.getWidth() / 2.0, src.getHeight() / 2.0), null);
        g.dispose();
        return out;
    }

    static BufferedImage darkened(BufferedImage src, double factor) {
        BufferedImage out = copy(src);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int p = out.getRGB(x, y);
                int r = (int) (((p >> 16) & 0xFF) * factor);
                int g = (int) (((p >> 8) & 0xFF) * factor);
                int b = (int) ((p & 0xFF) * factor);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    static byte[] jpeg(BufferedImage img, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
