package io.sentinel.biometric.verification;

/** A detected face: box corners in source-image pixels and the detector's confidence. */
public record FaceBox(float x1, float y1, float x2, float y2, float score) {
    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** Face size in pixels: the longer box side, since the detector's boxes are near square. */
    public int sizePx() {
        return Math.round(Math.max(width(), height()));
    }

    float iou(FaceBox o) {
        float ix = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1));
        float iy = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1));
        float inter = ix * iy;
        float union = width() * height() + o.width() * o.height() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
