package io.sentinel.biometric.verification;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG and nothing else: phones store the sensor's
 * pixels and say in this tag how to turn them upright, so a portrait selfie is often stored on its
 * side. No other metadata (GPS positions, device ids) is parsed or kept.
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
