package io.sentinel.biometric.verification;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;

/** An immutable packed-RGB raster with bilinear sampling, the pixel form every stage reads. */
public final class RgbImage {
    private final int width;
    private final int height;
    private final int[] rgb;

    private RgbImage(int width, int height, int[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        return new RgbImage(w, h, packed(image, w, h));
    }

    /**
     * Packed pixels. The JPEG decoder's 3-byte BGR raster is read directly: the generic
     * {@code getRGB} converts each pixel through the colour model and took 12.5 of the 18 ms that
     * decoding a 1 MP JPEG cost. (Grey rasters keep {@code getRGB}: Java treats their grey as
     * linear and converts it to sRGB, which a direct copy would not reproduce.)
     */
    private static int[] packed(BufferedImage image, int w, int h) {
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte db
                && image.getRaster().getSampleModel() instanceof PixelInterleavedSampleModel sm
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && db.getNumBanks() == 1 && sm.getPixelStride() == 3
                && java.util.Arrays.equals(sm.getBandOffsets(), new int[] {2, 1, 0})) {
            byte[] data = db.getData();
            int stride = sm.getScanlineStride();
            int[] px = new int[w * h];
            for (int y = 0; y < h; y++) {
                int row = y * stride;
                for (int x = 0; x < w; x++) {
                    int i = row + 3 * x;
                    px[y * w + x] = ((data[i + 2] & 0xFF) << 16) | ((data[i + 1] & 0xFF) << 8) | (data[i] & 0xFF);
                }
            }
            return px;
        }
        return image.getRGB(0, 0, w, h, null, 0, w);
    }

    /**
     * The upright image for an EXIF orientation (1–8): 2 mirrored, 3 turned 180°, 4 flipped,
     * 5 transposed, 6 stored turned 90° anticlockwise (shown turned clockwise), 7 transverse,
     * 8 stored turned 90° clockwise.
     */
    public RgbImage oriented(int orientation) {
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1 to 8, got " + orientation);
        }
        if (orientation == 1) {
            return this;
        }
        boolean swap = orientation >= 5;
        int ow = swap ? height : width;
        int oh = swap ? width : height;
        int[] out = new int[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = width - 1 - x; sy = y; }
                    case 3 -> { sx = width - 1 - x; sy = height - 1 - y; }
                    case 4 -> { sx = x; sy = height - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = height - 1 - x; }
                    case 7 -> { sx = width - 1 - y; sy = height - 1 - x; }
                    default -> { sx = width - 1 - y; sy = x; }
                }
                out[y * ow + x] = rgb[sy * width + sx];
            }
        }
        return new RgbImage(ow, oh, out);
    }

    /** These pixels as a new sRGB {@code TYPE_INT_RGB} image (a copy). */
    BufferedImage toIntRgb() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.getRaster().setDataElements(0, 0, width, height, rgb);
        return img;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Packed 0xRRGGBB at integer coordinates, clamped to the border. */
    public int rgbAt(int x, int y) {
        int cx = Math.min(Math.max(x, 0), width - 1);
        int cy = Math.min(Math.max(y, 0), height - 1);
        return rgb[cy * width + cx] & 0xFFFFFF;
    }

    /**
     * Bilinear sample of channel 0=R, 1=G, 2=B at real coordinates; outside the image the value
     * is 0 (black), matching OpenCV's default constant border used by the reference pipeline.
     */
    public float sample(float x, float y, int channel) {
        if (x < -1 || y < -1 || x > width || y > height) {
            return 0f;
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float fx = x - x0;
        float fy = y - y0;
        int shift = 16 - 8 * channel;
        float a = channel(x0, y0, shift);
        float b = channel(x0 + 1, y0, shift);
        float c = channel(x0, y0 + 1, shift);
        float d = channel(x0 + 1, y0 + 1, shift);
        return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }

    private float channel(int x, int y, int shift) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return 0f;
        }
        return (rgb[y * width + x] >> shift) & 0xFF;
    }

    /**
     * Samples the axis-aligned region [x0,x0+w)×[y0,y0+h) into an outW×outH grid, channel-planar
     * (CHW, RGB order), applying {@code (v - mean) / scale} to each value. Outside the image the
     * edge pixels are repeated.
     */
    public float[] toChw(float x0, float y0, float w, float h, int outW, int outH, float mean, float scale) {
        return toChw(x0, y0, w, h, outW, outH, mean, scale, false);
    }

    /** As {@link #toChw(float, float, float, float, int, int, float, float)}; padBlack fills outside with 0. */
    public float[] toChw(float x0, float y0, float w, float h, int outW, int outH, float mean, float scale,
                         boolean padBlack) {
        float[] out = new float[3 * outW * outH];
        int plane = outW * outH;
        float sx = w / outW;
        float sy = h / outH;
        for (int j = 0; j < outH; j++) {
            // Pixel-centre mapping, as cv::resize INTER_LINEAR does.
            float y = y0 + (j + 0.5f) * sy - 0.5f;
            for (int i = 0; i < outW; i++) {
                float x = x0 + (i + 0.5f) * sx - 0.5f;
                int idx = j * outW + i;
                for (int c = 0; c < 3; c++) {
                    float v = padBlack ? sample(x, y, c) : sampleClamped(x, y, c);
                    out[c * plane + idx] = (v - mean) / scale;
                }
            }
        }
        return out;
    }

    /** Bilinear sample with edge replication, for resizing where no black border should leak in. */
    public float sampleClamped(float x, float y, int channel) {
        float cx = Math.min(Math.max(x, 0f), width - 1f);
        float cy = Math.min(Math.max(y, 0f), height - 1f);
        int x0 = (int) cx;
        int y0 = (int) cy;
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        float fx = cx - x0;
        float fy = cy - y0;
        int shift = 16 - 8 * channel;
        float a = (rgb[y0 * width + x0] >> shift) & 0xFF;
        float b = (rgb[y0 * width + x1] >> shift) & 0xFF;
        float c = (rgb[y1 * width + x0] >> shift) & 0xFF;
        float d = (rgb[y1 * width + x1] >> shift) & 0xFF;
        return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
}
