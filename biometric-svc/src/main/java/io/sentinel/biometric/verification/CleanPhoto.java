package io.sentinel.biometric.verification;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * An uploaded photo as it may be stored: re-encoded from its upright pixels alone, so that none
 * of what a camera or phone writes beside the pixels (EXIF with GPS position, device make and
 * serial numbers, XMP, IPTC, ICC profiles, comments, thumbnails, data after the image such as
 * motion-photo videos) survives. A JPEG stays a JPEG (quality {@value #JPEG_QUALITY}), a PNG
 * stays a PNG (lossless). The EXIF orientation is applied to the pixels first, so the stored
 * image looks as the camera meant without the tag. Colours in a non-sRGB profile are converted
 * to sRGB, the space the stored file then implies. The face pipeline reads {@link #pixels()}, the
 * very pixels that were encoded.
 *
 * <p>As a second guard the encoder's output is filtered to the structure an image needs (JPEG:
 * JFIF APP0 without thumbnail, Adobe APP14, tables, frame, scan; PNG: IHDR, PLTE, tRNS, IDAT,
 * IEND), so no metadata segment can reach storage even if a future encoder adds one.
 */
public final class CleanPhoto {
    /** Near the quality phones save at; the reviewer compares this copy with the reference. */
    public static final float JPEG_QUALITY = 0.92f;

    private final Stored stored;
    private final RgbImage pixels;
    private final int orientationApplied;

    private CleanPhoto(byte[] bytes, String contentType, RgbImage pixels, int orientationApplied) {
        this.stored = new Stored(bytes, contentType);
        this.pixels = pixels;
        this.orientationApplied = orientationApplied;
    }

    /**
     * The metadata-free file alone, without the pixels, for storing. Only a {@link CleanPhoto} makes
     * one, so code that stores a {@code Stored} cannot store an upload's own bytes.
     */
    public static final class Stored {
        private final byte[] bytes;
        private final String contentType;

        private Stored(byte[] bytes, String contentType) {
            this.bytes = bytes;
            this.contentType = contentType;
        }

        public byte[] bytes() {
            return bytes;
        }

        /** "image/jpeg" or "image/png", the same as the upload's. */
        public String contentType() {
            return contentType;
        }
    }

    /**
     * Decodes, turns upright and re-encodes an uploaded JPEG or PNG.
     *
     * @throws FaceRejectedException when the bytes cannot be decoded at all (not a JPEG or PNG,
     *         truncated, corrupt, too many pixels); broken metadata alone never refuses a photo
     */
    public static CleanPhoto of(byte[] uploaded) {
        return of(ImageDecoder.decodeUpright(uploaded));
    }

    /** Re-encodes an already decoded, upright photo. */
    public static CleanPhoto of(ImageDecoder.Upright upright) {
        return of(upright, RgbImage.of(upright.image()));
    }

    /** As {@link #of(ImageDecoder.Upright)} with the packed pixels already made (for {@link Benchmark}). */
    static CleanPhoto of(ImageDecoder.Upright upright, RgbImage pixels) {
        BufferedImage img = upright.image();
        if (!plainColourSpace(img)) {
            // The sRGB conversion RgbImage made is what the face pipeline sees; store exactly that.
            img = pixels.toIntRgb();
        }
        boolean png = upright.format().equals("png");
        byte[] encoded = png ? Structure.pngImageChunksOnly(encode(img, "png", null))
                : Structure.jpegImageSegmentsOnly(encode(img, "jpeg", JPEG_QUALITY));
        return new CleanPhoto(encoded, png ? "image/png" : "image/jpeg", pixels, upright.orientation());
    }

    /** The metadata-free file. */
    public byte[] bytes() {
        return stored.bytes();
    }

    /** "image/jpeg" or "image/png", the same as the upload's. */
    public String contentType() {
        return stored.contentType();
    }

    /** The file to store, without the pixels (which need not outlive verification). */
    public Stored stored() {
        return stored;
    }

    /** The upright pixels that were encoded, for the face pipeline. */
    public RgbImage pixels() {
        return pixels;
    }

    /** The EXIF orientation (1–8) turned into the pixels; 1 when the upload had none. */
    public int orientationApplied() {
        return orientationApplied;
    }

    /** sRGB or the standard grey space: pixels mean the same with no profile stored beside them. */
    private static boolean plainColourSpace(BufferedImage img) {
        ColorSpace cs = img.getColorModel().getColorSpace();
        return cs.isCS_sRGB() || cs == ColorSpace.getInstance(ColorSpace.CS_GRAY);
    }

    private static byte[] encode(BufferedImage img, String format, Float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("no " + format + " encoder in this JDK");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, img.getWidth() * img.getHeight() / 4));
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            // No metadata and no thumbnails passed: the writer emits only what the format requires.
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("re-encoding the photo as " + format + " failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Filters an encoded file down to the parts an image needs. */
    static final class Structure {
        private Structure() {
        }

        /**
         * The JPEG with every segment before the scan dropped except JFIF APP0 (without a
         * thumbnail), Adobe APP14 (it says how to read the colour components), quantisation and
         * Huffman tables, restart interval and frame header; from the scan on, up to the EOI
         * marker, copied as is, and anything after EOI dropped.
         */
        static byte[] jpegImageSegmentsOnly(byte[] jpeg) {
            if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
                throw new IllegalStateException("encoder output is not a JPEG");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
            out.write(jpeg, 0, 2);
            int p = 2;
            while (true) {
                if (p + 4 > jpeg.length || (jpeg[p] & 0xFF) != 0xFF) {
                    throw new IllegalStateException("encoder output has a malformed JPEG segment at byte " + p);
                }
                int marker = jpeg[p + 1] & 0xFF;
                if (marker == 0xDA) {
                    int end = endOfImage(jpeg, p);
                    out.write(jpeg, p, end - p);
                    return out.toByteArray();
                }
                int len = ((jpeg[p + 2] & 0xFF) << 8) | (jpeg[p + 3] & 0xFF);
                if (len < 2 || p + 2 + len > jpeg.length) {
                    throw new IllegalStateException("encoder output has a JPEG segment running past its end at byte " + p);
                }
                if (keepJpegSegment(jpeg, p, marker, len)) {
                    out.write(jpeg, p, 2 + len);
                }
                p += 2 + len;
            }
        }

        private static boolean keepJpegSegment(byte[] b, int p, int marker, int len) {
            return switch (marker) {
                // JFIF: 14 bytes of version, density and a 0×0 thumbnail size, nothing more.
                case 0xE0 -> len == 16 && startsWith(b, p + 4, "JFIF\0") && b[p + 16] == 0 && b[p + 17] == 0;
                case 0xEE -> startsWith(b, p + 4, "Adobe");
                // DQT, DHT, DRI; then the frame headers SOF0-15 and DAC in 0xC0-0xCF (0xC8 is reserved).
                case 0xDB, 0xC4, 0xDD -> true;
                default -> marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8;
            };
        }

        /**
         * The offset just after the first EOI marker following the scan header at {@code sos}. In
         * the encoder's single baseline scan a 0xFF data byte is always followed by 0x00 (byte
         * stuffing) or a restart marker, so the first FF D9 is the end of the image.
         */
        private static int endOfImage(byte[] b, int sos) {
            int header = ((b[sos + 2] & 0xFF) << 8) | (b[sos + 3] & 0xFF);
            for (int i = sos + 2 + header; i + 1 < b.length; i++) {
                if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
                    return i + 2;
                }
            }
            throw new IllegalStateException("encoder output has no JPEG end-of-image marker");
        }

        /** The PNG with only its critical chunks and transparency kept, in order. */
        static byte[] pngImageChunksOnly(byte[] png) {
            if (png.length < 8 || (png[0] & 0xFF) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
                throw new IllegalStateException("encoder output is not a PNG");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
            out.write(png, 0, 8);
            int p = 8;
            while (p + 12 <= png.length) {
                long len = ((long) (png[p] & 0xFF) << 24) | ((png[p + 1] & 0xFF) << 16) | ((png[p + 2] & 0xFF) << 8) | (png[p + 3] & 0xFF);
                if (p + 12 + len > png.length) {
                    throw new IllegalStateException("encoder output has a PNG chunk running past its end at byte " + p);
                }
                String type = new String(png, p + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
                int size = (int) (12 + len);
                if (type.equals("IHDR") || type.equals("PLTE") || type.equals("tRNS") || type.equals("IDAT") || type.equals("IEND")) {
                    out.write(png, p, size);
                }
                if (type.equals("IEND")) {
                    return out.toByteArray();
                }
                p += size;
            }
            throw new IllegalStateException("encoder output has no PNG IEND chunk");
        }

        private static boolean startsWith(byte[] b, int at, String s) {
            if (at + s.length() > b.length) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (b[at + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
