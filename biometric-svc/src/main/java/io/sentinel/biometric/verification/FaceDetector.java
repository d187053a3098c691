package io.sentinel.biometric.verification;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds faces with fr_detect.onnx, an Ultra-Light-Fast RFB-320 detector whose graph already
 * decodes its 4,420 anchors into normalised corner boxes (the npm package's JS computes an anchor
 * decode but then uses the raw "boxes" output). Preprocessing follows that JS (RGB,
 * (v - 127) / 128, channel-planar, 320×240) except that the image is letterboxed rather than
 * stretched: stretching a square selfie to 4:3 made boxes, and so landmarks and embeddings,
 * unstable under mere JPEG recompression (cosine 0.43 between two encodings of one photo).
 */
public final class FaceDetector {
    static final int IN_W = 320;
    static final int IN_H = 240;
    /**
     * Above the package's 0.65, which admitted a 0.69 false hit (a hair highlight) in a JPEG
     * quality-0.3 selfie crop; every real face in the six sample photos scores ≥ 0.85.
     */
    public static final float DEFAULT_SCORE_THRESHOLD = 0.8f;
    static final float NMS_IOU = 0.4f;

    private final FaceModels models;
    private final float scoreThreshold;

    public FaceDetector(FaceModels models) {
        this(models, DEFAULT_SCORE_THRESHOLD);
    }

    public FaceDetector(FaceModels models, float scoreThreshold) {
        this.models = models;
        this.scoreThreshold = scoreThreshold;
    }

    /** Faces sorted by descending score, after non-maximum suppression. */
    public List<FaceBox> detect(RgbImage image) {
        float scale = Math.min((float) IN_W / image.width(), (float) IN_H / image.height());
        float spanW = IN_W / scale;
        float spanH = IN_H / scale;
        float[] input = image.toChw(0, 0, spanW, spanH, IN_W, IN_H, 127f, 128f, true);
        float[][] out = OnnxRun.run(models, models.detect(), input, new long[] {1, 3, IN_H, IN_W}, "scores", "boxes");
        float[] scores = out[0];
        float[] boxes = out[1];
        int n = scores.length / 2;
        List<FaceBox> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float s = scores[2 * i + 1];
            if (s < scoreThreshold) {
                continue;
            }
            float x1 = clamp(boxes[4 * i] * spanW, image.width());
            float y1 = clamp(boxes[4 * i + 1] * spanH, image.height());
            float x2 = clamp(boxes[4 * i + 2] * spanW, image.width());
            float y2 = clamp(boxes[4 * i + 3] * spanH, image.height());
            if (x2 > x1 && y2 > y1) {
                candidates.add(new FaceBox(x1, y1, x2, y2, s));
            }
        }
        candidates.sort(Comparator.comparingDouble(FaceBox::score).reversed());
        List<FaceBox> kept = new ArrayList<>();
        for (FaceBox c : candidates) {
            boolean suppressed = false;
            for (FaceBox k : kept) {
                if (k.iou(c) > NMS_IOU) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(c);
            }
        }
        return kept;
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }
}
