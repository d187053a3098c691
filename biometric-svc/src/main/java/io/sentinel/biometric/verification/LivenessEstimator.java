package io.sentinel.biometric.verification;

/**
 * Advisory presentation-attack score from fr_liveness.onnx: probability of class 0 ("live" in
 * the npm package) on a 2.7× context crop. Never decides a verification on its own.
 */
public final class LivenessEstimator {
    static final int SIZE = 128;
    static final float CONTEXT = 2.7f;

    private final FaceModels models;

    public LivenessEstimator(FaceModels models) {
        this.models = models;
    }

    public double score(RgbImage image, FaceBox box) {
        float w = box.width();
        float h = box.height();
        // Same crop as the package: scale the box by 2.7 (less if the image is too small), then
        // shift it back inside the image rather than padding.
        float scale = Math.min(Math.min((image.height() - 1) / h, (image.width() - 1) / w), CONTEXT);
        float nw = w * scale;
        float nh = h * scale;
        float cx = box.x1() + w / 2;
        float cy = box.y1() + h / 2;
        float x0 = Math.max(0, Math.min(cx - nw / 2, image.width() - 1 - nw));
        float y0 = Math.max(0, Math.min(cy - nh / 2, image.height() - 1 - nh));
        float[] input = image.toChw(x0, y0, nw, nh, SIZE, SIZE, 0f, 1f);
        float[] logits = OnnxRun.run(models, models.liveness(), input, new long[] {1, 3, SIZE, SIZE}, "output")[0];
        double max = Math.max(logits[0], Math.max(logits[1], logits[2]));
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.exp(logits[0] - max) / sum;
    }
}
