package io.sentinel.biometric.verification;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.sentinel.biometric.domain.ThresholdCalibration;

/**
 * Derives the match threshold for a target false-match rate from labelled image pairs.
 * <pre>
 * Calibrate pairs.csv 0.001 [modelsDir]          CSV lines: imageA,imageB,genuine|impostor (paths relative to the CSV)
 * Calibrate --samples modelsDir 0.001            the cached face-api sample photos (see the printed caveat)
 * </pre>
 */
public final class Calibrate {
    private Calibrate() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 3 && args[0].equals("--samples")) {
            Path dir = Path.of(args[1]);
            double target = target(args[2]);
            try (FaceModels models = FaceModels.load(dir)) {
                samples(models, dir, target);
            }
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: Calibrate <pairs.csv> <targetFMR> [modelsDir] | Calibrate --samples <modelsDir> <targetFMR>");
            System.exit(2);
        }
        Path csv = Path.of(args[0]);
        double target = target(args[1]);
        Path dir = args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("user.home"), ".cache/sentinel/face");
        try (FaceModels models = FaceModels.load(dir)) {
            pairs(models, csv, target);
        }
    }

    static double target(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("targetFMR must be a number such as 0.001, got " + s);
        }
    }

    static void pairs(FaceModels models, Path csv, double target) throws IOException {
        FaceVerifier verifier = new FaceVerifier(models);
        Map<String, float[]> embeddings = new HashMap<>();
        List<Double> genuine = new ArrayList<>();
        List<Double> impostor = new ArrayList<>();
        int line = 0;
        int unusable = 0;
        for (String raw : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            line++;
            String text = raw.strip();
            if (text.isEmpty() || text.startsWith("#") || (line == 1 && text.toLowerCase().startsWith("imagea"))) {
                continue;
            }
            String[] f = text.split(",");
            if (f.length != 3) {
                throw new IllegalArgumentException(csv + " line " + line + ": expected imageA,imageB,genuine|impostor");
            }
            String label = f[2].strip().toLowerCase();
            if (!label.equals("genuine") && !label.equals("impostor")) {
                throw new IllegalArgumentException(csv + " line " + line + ": label must be genuine or impostor, got " + f[2]);
            }
            float[] a = embed(verifier, embeddings, csv.toAbsolutePath().getParent().resolve(f[0].strip()));
            float[] b = embed(verifier, embeddings, csv.toAbsolutePath().getParent().resolve(f[1].strip()));
            if (a == null || b == null) {
                unusable++;
                continue;
            }
            (label.equals("genuine") ? genuine : impostor).add(FaceEmbedder.cosine(a, b));
        }
        report(genuine, impostor, target, "pairs from " + csv + "; " + unusable + " pair(s) skipped because an image had no usable face");
    }

    private static float[] embed(FaceVerifier verifier, Map<String, float[]> cache, Path image) {
        String key = image.toString();
        if (!cache.containsKey(key)) {
            float[] e;
            try {
                e = verifier.extract(Files.readAllBytes(image)).embedding();
            } catch (FaceRejectedException rejected) {
                System.err.println("skipped " + image + ": " + rejected.getMessage());
                e = null;
            } catch (IOException io) {
                throw new UncheckedIOException("cannot read " + image, io);
            }
            cache.put(key, e);
        }
        return cache.get(key);
    }

    /** The alterations that make genuine pairs from one face: name and function. */
    static final Map<String, java.util.function.Function<BufferedImage, byte[]>> ALTERATIONS = alterations();

    private static Map<String, java.util.function.Function<BufferedImage, byte[]>> alterations() {
        Map<String, java.util.function.Function<BufferedImage, byte[]>> m = new java.util.LinkedHashMap<>();
        m.put("darkened 55%", c -> ImageAlterations.jpeg(ImageAlterations.darkened(c, 0.55), 0.85f));
        m.put("darkened 70%", c -> ImageAlterations.jpeg(ImageAlterations.darkened(c, 0.7), 0.85f));
        m.put("brightened 140%", c -> ImageAlterations.jpeg(ImageAlterations.darkened(c, 1.4), 0.85f));
        m.put("scaled 0.5x", c -> ImageAlterations.jpeg(ImageAlterations.scaled(c, 0.5), 0.85f));
        m.put("scaled 0.7x", c -> ImageAlterations.jpeg(ImageAlterations.scaled(c, 0.7), 0.85f));
        m.put("rotated +5", c -> ImageAlterations.jpeg(ImageAlterations.rotated(c, 5), 0.85f));
        m.put("rotated -5", c -> ImageAlterations.jpeg(ImageAlterations.rotated(c, -5), 0.85f));
        m.put("rotated +8", c -> ImageAlterations.jpeg(ImageAlterations.rotated(c, 8), 0.85f));
        m.put("blurred 3x3", c -> ImageAlterations.jpeg(ImageAlterations.blurred(c, 1), 0.85f));
        m.put("JPEG quality 0.5", c -> ImageAlterations.jpeg(c, 0.5f));
        m.put("JPEG quality 0.3", c -> ImageAlterations.jpeg(c, 0.3f));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Every face of the six sample photos. Genuine pairs: each face against each of
     * {@link #ALTERATIONS} of itself. Impostor pairs: every two faces of one photo (certainly two
     * people). Pairs across photos are reported apart, unlabelled: the same women recur in several
     * photos, so a high score there may be a genuine pair.
     */
    static void samples(FaceModels models, Path dir, double target) throws IOException {
        FaceDetector detector = new FaceDetector(models);
        FaceVerifier verifier = new FaceVerifier(models);
        List<float[]> originals = new ArrayList<>();
        List<Integer> photoOf = new ArrayList<>();
        List<Double> genuine = new ArrayList<>();
        Map<String, double[]> worstByAlteration = new java.util.LinkedHashMap<>();
        int faces = 0;
        int lost = 0;
        for (int s = 1; s <= 6; s++) {
            BufferedImage img = ImageIO.read(dir.resolve("sample" + s + ".jpg").toFile());
            for (FaceBox f : detector.detect(RgbImage.of(img))) {
                faces++;
                BufferedImage crop = ImageAlterations.cropAround(img, f, 1.6f);
                float[] ref;
                try {
                    ref = verifier.extract(ImageAlterations.jpeg(crop, 0.95f)).embedding();
                } catch (FaceRejectedException tooSmall) {
                    continue;
                }
                originals.add(ref);
                photoOf.add(s);
                for (var a : ALTERATIONS.entrySet()) {
                    try {
                        double cos = FaceEmbedder.cosine(ref, verifier.extract(a.getValue().apply(crop)).embedding());
                        genuine.add(cos);
                        worstByAlteration.merge(a.getKey(), new double[] {cos}, (x, y) -> new double[] {Math.min(x[0], y[0])});
                    } catch (FaceRejectedException gone) {
                        lost++; // an alteration that loses the face is not a comparison
                    }
                }
            }
        }
        List<Double> impostor = new ArrayList<>();
        List<Double> crossPhoto = new ArrayList<>();
        for (int i = 0; i < originals.size(); i++) {
            for (int j = i + 1; j < originals.size(); j++) {
                double cos = FaceEmbedder.cosine(originals.get(i), originals.get(j));
                (photoOf.get(i).equals(photoOf.get(j)) ? impostor : crossPhoto).add(cos);
            }
        }
        report(genuine, impostor, target, originals.size() + " of " + faces + " detected faces of the six face-api sample photos; "
                + ALTERATIONS.size() + " altered copies per face (" + lost + " copies lost the face). CAVEAT: genuine pairs are altered "
                + "copies of the same photo, not independent photos of the same person, so the FNMR is far too optimistic; the set is "
                + "tiny and demographically narrow. Not a basis for production thresholds.");
        worstByAlteration.forEach((name, w) -> System.out.printf("lowest genuine score, %-17s %.4f%n", name + ":", w[0]));
        System.out.printf("highest impostor score (same photo): %.4f%n", impostor.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        System.out.printf("at the shipped thresholds: FNMR (genuine below MATCH %.2f) %.6f; impostors at or above NO_MATCH %.2f: %d of %d%n",
                FaceVerifier.MATCH_THRESHOLD, genuine.stream().filter(g -> g < FaceVerifier.MATCH_THRESHOLD).count() / (double) genuine.size(),
                FaceVerifier.NO_MATCH_BELOW, impostor.stream().filter(x -> x >= FaceVerifier.NO_MATCH_BELOW).count(), impostor.size());
        double[] cross = crossPhoto.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("cross-photo pairs (unlabelled, may share a person): %d, highest %.4f, second %.4f, %d at or above %.2f%n",
                cross.length, cross[cross.length - 1], cross[cross.length - 2],
                crossPhoto.stream().filter(x -> x >= FaceVerifier.NO_MATCH_BELOW).count(), FaceVerifier.NO_MATCH_BELOW);
    }

    static void report(List<Double> genuine, List<Double> impostor, double target, String source) {
        var r = ThresholdCalibration.calibrate(genuine.stream().mapToDouble(Double::doubleValue).toArray(),
                impostor.stream().mapToDouble(Double::doubleValue).toArray(), target);
        System.out.printf("source: %s%n", source);
        System.out.printf("genuine pairs: %d, impostor pairs: %d, target FMR: %s%n", r.genuine(), r.impostor(), target);
        System.out.printf("threshold: %.4f%nFMR at threshold: %.6f%nFNMR at threshold: %.6f%n", r.threshold(), r.fmr(), r.fnmr());
        if (target > 0 && target * r.impostor() < 1) {
            System.out.printf("warning: %d impostor pairs cannot resolve an FMR of %s; the threshold only separates the pairs seen%n",
                    r.impostor(), target);
        }
    }

}
