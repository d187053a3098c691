package io.sentinel.biometric.verification;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The four ONNX sessions (detector, 68-point landmarks, embedder, liveness) loaded once from the
 * directory filled by {@code scripts/fetch-face-models.sh}. ONNX Runtime sessions may be run
 * concurrently, so one instance serves all threads.
 */
public final class FaceModels implements AutoCloseable {
    public static final String DETECT = "fr_detect.onnx";
    public static final String LANDMARK = "fr_landmark.onnx";
    public static final String FEATURE = "fr_feature.onnx";
    public static final String LIVENESS = "fr_liveness.onnx";

    private final OrtEnvironment env;
    private final OrtSession detect;
    private final OrtSession landmark;
    private final OrtSession feature;
    private final OrtSession liveness;
    private final String modelId;

    private FaceModels(OrtEnvironment env, OrtSession detect, OrtSession landmark, OrtSession feature,
                       OrtSession liveness, String modelId) {
        this.env = env;
        this.detect = detect;
        this.landmark = landmark;
        this.feature = feature;
        this.liveness = liveness;
        this.modelId = modelId;
    }

    /** Loads with one intra-op thread per session: throughput comes from concurrent requests. */
    public static FaceModels load(Path dir) {
        return load(dir, 1);
    }

    /**
     * Weights below this magnitude are set to zero at load (see {@link OnnxWeights}): products
     * of such weights are denormal and slow on every thread but the session's creator. The
     * embeddings stay the same (cosine &ge; 0.9999, FaceModelsTest).
     */
    public static final float FLUSH_BELOW = 1e-15f;

    public static FaceModels load(Path dir, int intraOpThreads) {
        return load(dir, intraOpThreads, FLUSH_BELOW);
    }

    /** As {@link #load(Path, int)}; {@code flushBelow} 0 loads the model files unchanged. */
    static FaceModels load(Path dir, int intraOpThreads, float flushBelow) {
        for (String name : new String[] {DETECT, LANDMARK, FEATURE, LIVENESS}) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IllegalArgumentException("face model directory " + dir + " lacks " + name
                        + " (run scripts/fetch-face-models.sh)");
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession d = null;
        OrtSession l = null;
        OrtSession f = null;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // Only helps the creating thread (FTZ/DAZ are per thread); flushBelow covers the others.
            opts.addConfigEntry("session.set_denormal_as_zero", "1");
            opts.setIntraOpNumThreads(intraOpThreads);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            d = env.createSession(weights(dir.resolve(DETECT), flushBelow), opts);
            l = env.createSession(weights(dir.resolve(LANDMARK), flushBelow), opts);
            f = env.createSession(weights(dir.resolve(FEATURE), flushBelow), opts);
            OrtSession v = env.createSession(weights(dir.resolve(LIVENESS), flushBelow), opts);
            return new FaceModels(env, d, l, f, v, modelIdOf(dir));
        } catch (OrtException e) {
            closeQuietly(d, l, f);
            throw new IllegalStateException("cannot load face models from " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(d, l, f);
            throw e;
        }
    }

    private static byte[] weights(Path file, float flushBelow) {
        try {
            byte[] model = Files.readAllBytes(file);
            if (flushBelow > 0) {
                OnnxWeights.flushTinyWeights(model, flushBelow);
            }
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is not a well-formed ONNX model: " + e.getMessage(), e);
        }
    }

    /**
     * Embeddings from different model files are not comparable, so every stored reference carries
     * this id: "fr-" plus 16 hex digits of SHA-256 over the four files' SHA-256s.
     */
    static String modelIdOf(Path dir) {
        try {
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            for (String name : new String[] {DETECT, LANDMARK, FEATURE, LIVENESS}) {
                byte[] fileHash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(name)));
                all.update(name.getBytes(StandardCharsets.US_ASCII));
                all.update(fileHash);
            }
            return "fr-" + HexFormat.of().formatHex(all.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(OrtSession... sessions) {
        for (OrtSession s : sessions) {
            if (s != null) {
                try {
                    s.close();
                } catch (OrtException ignored) {
                    // Already failing; the load error is the one worth reporting.
                }
            }
        }
    }

    public String modelId() {
        return modelId;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession detect() {
        return detect;
    }

    OrtSession landmark() {
        return landmark;
    }

    OrtSession feature() {
        return feature;
    }

    OrtSession liveness() {
        return liveness;
    }

    @Override
    public void close() {
        closeQuietly(detect, landmark, feature, liveness);
    }
}
