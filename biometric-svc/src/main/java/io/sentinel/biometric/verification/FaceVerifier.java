package io.sentinel.biometric.verification;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One-to-few face verification: a check-in photo must show exactly one adequately sized face,
 * whose embedding is compared by cosine similarity with the subject's enrolled references.
 *
 * <p>Thresholds (cosine similarity, best over references) were calibrated on the 22 faces of
 * the six face-api sample group photos: the 230 pairs of different people, within and across
 * photos, scored at most 0.40; 105 altered copies of 21 faces (scaled 0.5×, JPEG quality 0.3,
 * rotated ±5°, darkened to 55 %) scored at least 0.74 against their original. That is a small
 * set of young women in party photos, not a demographic evaluation: the INCONCLUSIVE band
 * between the two thresholds goes to human review rather than being decided automatically,
 * and the thresholds must be re-derived on a larger set before any automatic NO_MATCH action.
 */
public final class FaceVerifier {
    /** At or above: MATCH. */
    public static final double MATCH_THRESHOLD = 0.60;
    /** Below: NO_MATCH; between this and {@link #MATCH_THRESHOLD}: INCONCLUSIVE. */
    public static final double NO_MATCH_BELOW = 0.45;
    /** Faces narrower than this carry too little detail for the 112×112 embedder. */
    public static final int DEFAULT_MIN_FACE_PX = 80;
    /**
     * Landmark ensembles disagreeing more than this (see {@link FaceAligner.Landmarks}) mark eyes
     * closed, hair over the face or a bowed head; the sample photos' other faces stay at or below
     * 0.08, sample2's bowed head with closed eyes reaches 0.18.
     */
    public static final double ENROL_MAX_LANDMARK_SPREAD = 0.15;
    /** A reference must fill the embedder's 112×112 input without upscaling. */
    public static final int ENROL_MIN_FACE_PX = 112;

    /** Outcome of one verification. */
    public enum Decision { MATCH, NO_MATCH, INCONCLUSIVE, REJECTED }

    /**
     * One face taken from a photo: its box, embedding, landmark spread (alignment reliability,
     * advisory; see {@link FaceAligner.Landmarks}) and advisory liveness score.
     */
    public record Extraction(FaceBox face, float[] embedding, double landmarkSpread, double livenessScore, String modelId,
                             FaceQuality quality, Map<String, Double> timingsMs) {
    }

    /**
     * Result of {@link #verify}: {@code reason} is set only for REJECTED; {@code similarity} is
     * NaN when no face could be compared.
     */
    public record Result(Decision decision, double similarity, String reason, FaceBox face,
                         double livenessScore, Map<String, Double> timingsMs) {
    }

    private final FaceModels models;
    private final FaceDetector detector;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;
    private final LivenessEstimator liveness;
    private final int minFacePx;

    public FaceVerifier(FaceModels models) {
        this(models, DEFAULT_MIN_FACE_PX);
    }

    public FaceVerifier(FaceModels models, int minFacePx) {
        if (minFacePx < 1) {
            throw new IllegalArgumentException("minFacePx must be >= 1, got " + minFacePx);
        }
        this.models = models;
        this.detector = new FaceDetector(models);
        this.aligner = new FaceAligner(models);
        this.embedder = new FaceEmbedder(models);
        this.liveness = new LivenessEstimator(models);
        this.minFacePx = minFacePx;
    }

    public String modelId() {
        return models.modelId();
    }

    /**
     * Extracts the single face of a photo (for enrolment or a check-in).
     *
     * @throws FaceRejectedException with the precise reason when the photo is unusable
     */
    public Extraction extract(byte[] image) {
        Map<String, Double> t = new LinkedHashMap<>();
        long start = System.nanoTime();
        RgbImage img = ImageDecoder.decode(image);
        lap(t, "decode", start);
        return extract(img, t);
    }

    /** As {@link #extract(byte[])} for pixels already decoded and upright (see {@link CleanPhoto}). */
    public Extraction extract(RgbImage img) {
        return extract(img, new LinkedHashMap<>());
    }

    private Extraction extract(RgbImage img, Map<String, Double> t) {
        long start = System.nanoTime();
        List<FaceBox> faces = detector.detect(img);
        start = lap(t, "detect", start);
        if (faces.isEmpty()) {
            throw new FaceRejectedException("no face found");
        }
        if (faces.size() > 1) {
            throw new FaceRejectedException(faces.size() + " faces found, exactly one required");
        }
        FaceBox face = faces.get(0);
        if (face.sizePx() < minFacePx) {
            throw new FaceRejectedException("face too small: " + face.sizePx() + " px (min " + minFacePx + " px)");
        }
        FaceAligner.Landmarks lm = aligner.landmarks(img, face);
        start = lap(t, "landmarks", start);
        float[][] five = FaceAligner.fivePoints(lm.points());
        int[] aligned = aligner.align(img, five);
        FaceQuality quality = FaceQuality.measure(aligned, five);
        start = lap(t, "align", start);
        float[] embedding = embedder.embed(aligned);
        start = lap(t, "embed", start);
        double live = liveness.score(img, face);
        lap(t, "liveness", start);
        return new Extraction(face, embedding, lm.spread(), live, models.modelId(), quality, Collections.unmodifiableMap(t));
    }

    /**
     * Extracts the face of a reference image, which must also pass the capture-quality limits
     * ({@link FaceQuality#problem()}) and be at least {@link #ENROL_MIN_FACE_PX} wide: a poor
     * reference would make every later check-in of the subject go to a reviewer.
     *
     * @throws FaceRejectedException with the precise reason
     */
    public Extraction enrol(byte[] image) {
        return checkedReference(extract(image));
    }

    /** As {@link #enrol(byte[])} for pixels already decoded and upright. */
    public Extraction enrol(RgbImage image) {
        return checkedReference(extract(image));
    }

    private Extraction checkedReference(Extraction ex) {
        int minPx = Math.max(minFacePx, ENROL_MIN_FACE_PX);
        if (ex.face().sizePx() < minPx) {
            throw new FaceRejectedException("face too small for a reference: " + ex.face().sizePx() + " px (min " + minPx + " px)");
        }
        String problem = ex.quality().problem();
        if (problem != null) {
            throw new FaceRejectedException(problem);
        }
        if (ex.landmarkSpread() > ENROL_MAX_LANDMARK_SPREAD) {
            throw new FaceRejectedException(String.format(java.util.Locale.ROOT,
                    "facial landmarks are unreliable: spread %.2f (max %.2f); eyes closed, face covered or head bowed",
                    ex.landmarkSpread(), ENROL_MAX_LANDMARK_SPREAD));
        }
        return ex;
    }

    /** Compares the photo's single face with the references (embeddings from {@link #extract}). */
    public Result verify(byte[] image, List<float[]> references) {
        return verify(() -> extract(image), references);
    }

    /** As {@link #verify(byte[], List)} for pixels already decoded and upright (see {@link CleanPhoto}). */
    public Result verify(RgbImage image, List<float[]> references) {
        return verify(() -> extract(image), references);
    }

    private Result verify(java.util.function.Supplier<Extraction> extraction, List<float[]> references) {
        if (references == null || references.isEmpty()) {
            throw new IllegalArgumentException("references must hold at least one embedding");
        }
        for (int i = 0; i < references.size(); i++) {
            float[] r = references.get(i);
            if (r == null || r.length != FaceEmbedder.DIM) {
                throw new IllegalArgumentException("references[" + i + "] must have " + FaceEmbedder.DIM
                        + " dimensions, got " + (r == null ? "null" : r.length));
            }
        }
        long t0 = System.nanoTime();
        Extraction ex;
        try {
            ex = extraction.get();
        } catch (FaceRejectedException e) {
            Map<String, Double> t = Map.of("total", (System.nanoTime() - t0) / 1e6);
            return new Result(Decision.REJECTED, Double.NaN, e.getMessage(), null, Double.NaN, t);
        }
        long start = System.nanoTime();
        double best = -1;
        for (float[] r : references) {
            best = Math.max(best, FaceEmbedder.cosine(ex.embedding(), r));
        }
        Map<String, Double> t = new LinkedHashMap<>(ex.timingsMs());
        lap(t, "compare", start);
        t.put("total", (System.nanoTime() - t0) / 1e6);
        return new Result(decide(best), best, null, ex.face(), ex.livenessScore(), Collections.unmodifiableMap(t));
    }

    public static Decision decide(double similarity) {
        if (similarity >= MATCH_THRESHOLD) {
            return Decision.MATCH;
        }
        return similarity < NO_MATCH_BELOW ? Decision.NO_MATCH : Decision.INCONCLUSIVE;
    }

    private static long lap(Map<String, Double> t, String stage, long start) {
        long now = System.nanoTime();
        t.put(stage, (now - start) / 1e6);
        return now;
    }
}
