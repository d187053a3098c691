package io.sentinel.biometric.verification;

/** Turns an aligned 112×112 face into a 512-d L2-normalised embedding with fr_feature.onnx. */
public final class FaceEmbedder {
    public static final int DIM = 512;

    private final FaceModels models;

    public FaceEmbedder(FaceModels models) {
        this.models = models;
    }

    public float[] embed(int[] alignedRgb) {
        int n = FaceAligner.OUT * FaceAligner.OUT;
        if (alignedRgb.length != n) {
            throw new IllegalArgumentException("aligned face must be 112x112, got " + alignedRgb.length + " pixels");
        }
        float[] input = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int p = alignedRgb[i];
            input[i] = (((p >> 16) & 0xFF) - 127f) / 128f;
            input[n + i] = (((p >> 8) & 0xFF) - 127f) / 128f;
            input[2 * n + i] = ((p & 0xFF) - 127f) / 128f;
        }
        float[] raw = OnnxRun.run(models, models.feature(), input,
                new long[] {1, 3, FaceAligner.OUT, FaceAligner.OUT}, "output")[0];
        return normalise(raw);
    }

    static float[] normalise(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        double norm = Math.sqrt(s);
        if (norm == 0 || Double.isNaN(norm)) {
            throw new IllegalStateException("embedding has zero or NaN norm");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    /** Cosine similarity of two L2-normalised embeddings. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding lengths differ: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
