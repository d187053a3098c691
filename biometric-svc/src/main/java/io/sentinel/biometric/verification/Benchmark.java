package io.sentinel.biometric.verification;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Measures per-stage latency (p50/p95 ms) of check-ins of a 1000×1000 (1 MP) JPEG selfie made
 * from sample1.jpg, one at a time on a worker thread other than the one that loaded the models,
 * as in the service (per-thread CPU flags such as FTZ/DAZ make that difference matter): decode,
 * the metadata-free re-encoding that is stored ({@link CleanPhoto}), then the face pipeline on the
 * same pixels. Also times turning the decoded photo 90°, which a photo tagged with EXIF
 * orientation 5 to 8 adds.
 * Usage: {@code Benchmark <model-dir> [N] [--unflushed]}; {@code --unflushed} loads the model
 * files without flushing their tiny weights, for comparison.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Benchmark <model-dir from scripts/fetch-face-models.sh> [N] [--unflushed]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        boolean unflushed = args.length > 2 && args[2].equals("--unflushed");
        try (FaceModels models = FaceModels.load(dir, 1, unflushed ? 0f : FaceModels.FLUSH_BELOW)) {
            java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                worker.submit(() -> {
                    run(models, dir, n, unflushed);
                    return null;
                }).get();
            } finally {
                worker.shutdownNow();
            }
        }
    }

    private static void run(FaceModels models, Path dir, int n, boolean unflushed) throws IOException {
        byte[] probe = selfie(models, dir.resolve("sample1.jpg"), 0.85f);
        byte[] enrol = selfie(models, dir.resolve("sample1.jpg"), 0.95f);
        FaceVerifier verifier = new FaceVerifier(models);
        List<float[]> refs = List.of(verifier.extract(enrol).embedding());
        for (int i = 0; i < Math.min(20, n); i++) {
            verifier.verify(CleanPhoto.of(probe).pixels(), refs);
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        FaceVerifier.Result last = null;
        CleanPhoto clean = null;
        for (int i = 0; i < n; i++) {
            // As the service does: decode once, store the re-encoded copy, verify its pixels.
            long t0 = System.nanoTime();
            ImageDecoder.Upright upright = ImageDecoder.decodeUpright(probe);
            RgbImage pixels = RgbImage.of(upright.image());
            long t1 = System.nanoTime();
            clean = CleanPhoto.of(upright, pixels);
            long t2 = System.nanoTime();
            last = verifier.verify(clean.pixels(), refs);
            long t3 = System.nanoTime();
            if (last.decision() != FaceVerifier.Decision.MATCH) {
                throw new IllegalStateException("benchmark probe did not match: " + last);
            }
            samples.computeIfAbsent("decode", x -> new ArrayList<>()).add((t1 - t0) / 1e6);
            samples.computeIfAbsent("re-encode", x -> new ArrayList<>()).add((t2 - t1) / 1e6);
            last.timingsMs().forEach((k, v) -> {
                if (!k.equals("total")) {
                    samples.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            });
            samples.computeIfAbsent("total", x -> new ArrayList<>()).add((t3 - t0) / 1e6);
            // Not on this probe's path (it has no orientation tag): what a sideways phone photo adds.
            BufferedImage decoded = upright.image();
            long r0 = System.nanoTime();
            ExifOrientation.apply(decoded, 6);
            samples.computeIfAbsent("(rotate 90° if tagged 5-8)", x -> new ArrayList<>()).add((System.nanoTime() - r0) / 1e6);
        }
        System.out.printf("model %s%s, %d verifications of a %d-byte 1000x1000 JPEG on a worker thread (stored copy %d bytes), similarity %.3f%n",
                models.modelId(), unflushed ? " (tiny weights NOT flushed)" : "", n, probe.length, clean.bytes().length, last.similarity());
        samples.forEach((stage, v) -> System.out.printf("%-10s p50 %7.2f ms  p95 %7.2f ms%n",
                stage, pct(v, 50), pct(v, 95)));
    }

    private static double pct(List<Double> v, int p) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)];
    }

    /** The highest-scoring face of the photo, cropped at 1.6× its box and scaled to 1000×1000. */
    private static byte[] selfie(FaceModels models, Path photo, float quality) throws IOException {
        BufferedImage src = ImageIO.read(photo.toFile());
        FaceBox f = new FaceDetector(models).detect(RgbImage.of(src)).get(0);
        return ImageAlterations.jpeg(ImageAlterations.resized(ImageAlterations.cropAround(src, f, 1.6f), 1000, 1000), quality);
    }
}
