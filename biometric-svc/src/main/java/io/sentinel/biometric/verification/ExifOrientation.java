package io.sentinel.biometric.verification;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG (APP1) or PNG ({@code eXIf} chunk) and
 * nothing else, and turns decoded pixels upright by it: phones store the sensor's pixels and say
 * in this tag how to turn them upright, so a portrait selfie is often stored on its side. No
 * other metadata (GPS positions, device ids) is parsed or kept.
 */
public final class ExifOrientation {
    /** Pixels already upright. */
    public static final int NORMAL = 1;

    private ExifOrientation() {
    }

    /**
     * The orientation 1–8 of a JPEG's first APP1 Exif segment; 1 when there is none, or when the
     * segment is malformed or holds a value outside 1–8 (metadata alone never refuses a photo).
     */
    public static int of(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return NORMAL;
        }
        int p = 2;
        while (p + 4 <= jpeg.length && (jpeg[p] & 0xFF) == 0xFF) {
            int marker = jpeg[p + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan / end of image: metadata segments come before
            }
            int len = u16(jpeg, p + 2, false);
            if (len < 2 || p + 2 + len > jpeg.length) {
                return NORMAL;
            }
            if (marker == 0xE1 && len >= 8 && isExifHeader(jpeg, p + 4)) {
                return fromTiff(jpeg, p + 10, p + 2 + len);
            }
            p += 2 + len;
        }
        return NORMAL;
    }

    /**
     * The orientation 1–8 of a PNG's {@code eXIf} chunk (a bare TIFF structure, before the first
     * IDAT); 1 when there is none or it is malformed.
     */
    public static int ofPng(byte[] png) {
        if (png.length < 8 || (png[0] & 0xFF) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
            return NORMAL;
        }
        long p = 8;
        while (p + 8 <= png.length) {
            long len = u32(png, (int) p, false);
            int type = (int) p + 4;
            long data = p + 8;
            if (data + len > png.length) {
                return NORMAL;
            }
            if (isType(png, type, "IDAT") || isType(png, type, "IEND")) {
                break; // eXIf must come before the image data
            }
            if (isType(png, type, "eXIf")) {
                return fromTiff(png, (int) data, (int) (data + len));
            }
            p = data + len + 4; // skip the CRC
        }
        return NORMAL;
    }

    private static boolean isType(byte[] b, int at, String type) {
        for (int i = 0; i < 4; i++) {
            if (b[at + i] != type.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The decoded pixels turned upright for an orientation (1–8), in the image's own raster and
     * colour model (a grey, paletted or 16-bit image stays one), with the same mapping as
     * {@link RgbImage#oriented(int)}. Orientation 1 returns the image itself.
     */
    public static BufferedImage apply(BufferedImage src, int orientation) {
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1 to 8, got " + orientation);
        }
        if (orientation == NORMAL) {
            return src;
        }
        int width = src.getWidth();
        int height = src.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? height : width;
        int oh = swap ? width : height;
        Raster in = src.getRaster();
        WritableRaster out;
        if (in.getDataBuffer() instanceof DataBufferByte db && db.getNumBanks() == 1
                && in.getSampleModel() instanceof PixelInterleavedSampleModel sm && packed(sm)
                && in.getSampleModelTranslateX() == 0 && in.getSampleModelTranslateY() == 0) {
            // Decoded JPEGs (BGR, grey): move whole pixels between byte arrays, no per-pixel calls.
            int ps = sm.getPixelStride();
            out = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, ow, oh, ow * ps, ps, sm.getBandOffsets(), null);
            byte[] from = db.getData();
            byte[] to = ((DataBufferByte) out.getDataBuffer()).getData();
            int stride = sm.getScanlineStride();
            int base = db.getOffset();
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int s = base + sourceY(orientation, x, y, width, height) * stride + sourceX(orientation, x, y, width, height) * ps;
                    int d = (y * ow + x) * ps;
                    for (int k = 0; k < ps; k++) {
                        to[d + k] = from[s + k];
                    }
                }
            }
        } else {
            out = in.createCompatibleWritableRaster(ow, oh);
            Object px = null;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    px = in.getDataElements(in.getMinX() + sourceX(orientation, x, y, width, height),
                            in.getMinY() + sourceY(orientation, x, y, width, height), px);
                    out.setDataElements(x, y, px);
                }
            }
        }
        return new BufferedImage(src.getColorModel(), out, src.isAlphaPremultiplied(), null);
    }

    /** Each pixel's bands fill its stride exactly (offsets a permutation of 0..stride-1). */
    private static boolean packed(PixelInterleavedSampleModel sm) {
        int[] offsets = sm.getBandOffsets();
        if (offsets.length != sm.getPixelStride()) {
            return false;
        }
        boolean[] seen = new boolean[offsets.length];
        for (int o : offsets) {
            if (o < 0 || o >= offsets.length || seen[o]) {
                return false;
            }
            seen[o] = true;
        }
        return true;
    }

    /** Column of the stored image shown at (x, y) of the upright one. */
    static int sourceX(int orientation, int x, int y, int width, int height) {
        return switch (orientation) {
            case 2, 3 -> width - 1 - x;
            case 4 -> x;
            case 5, 6 -> y;
            case 7, 8 -> width - 1 - y;
            default -> x;
        };
    }

    /** Row of the stored image shown at (x, y) of the upright one. */
    static int sourceY(int orientation, int x, int y, int width, int height) {
        return switch (orientation) {
            case 2 -> y;
            case 3, 4 -> height - 1 - y;
            case 5, 8 -> x;
            case 6, 7 -> height - 1 - x;
            default -> y;
        };
    }

    private static boolean isExifHeader(byte[] b, int at) {
        return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0 && b[at + 5] == 0;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return NORMAL;
        }
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            little = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            little = false;
        } else {
            return NORMAL;
        }
        if (u16(b, tiff + 2, little) != 42) {
            return NORMAL;
        }
        long ifd = u32(b, tiff + 4, little);
        if (ifd < 8 || tiff + ifd + 2 > end) {
            return NORMAL;
        }
        int at = (int) (tiff + ifd);
        int entries = u16(b, at, little);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + 12 * i;
            if (e + 12 > end) {
                return NORMAL;
            }
            if (u16(b, e, little) == 0x0112) {
                // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
                if (u16(b, e + 2, little) != 3) {
                    return NORMAL;
                }
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : NORMAL;
            }
        }
        return NORMAL;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int x = b[at] & 0xFF;
        int y = b[at + 1] & 0xFF;
        return little ? x | (y << 8) : (x << 8) | y;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long hi = u16(b, at + (little ? 2 : 0), little);
        long lo = u16(b, at + (little ? 0 : 2), little);
        return (hi << 16) | lo;
    }
}
