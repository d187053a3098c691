package io.sentinel.biometric.verification;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes uploaded photo bytes into upright pixels, rejecting anything that is not a complete
 * image. Of the metadata only the EXIF orientation is read ({@link ExifOrientation}); the rest
 * (which can carry GPS positions) is never parsed, and only pixels are kept.
 */
public final class ImageDecoder {
    /** Refuse decompression bombs before allocating their raster. */
    public static final long MAX_PIXELS = 40_000_000L;

    private ImageDecoder() {
    }

    /**
     * A decoded photo turned upright: its pixels in the decoder's own raster and colour model, its
     * format ("jpeg" or "png") and the EXIF orientation that was applied (1 when none).
     */
    public record Upright(BufferedImage image, String format, int orientation) {
    }

    /** The upright pixels, as the face pipeline reads them. */
    public static RgbImage decode(byte[] bytes) {
        return RgbImage.of(decodeUpright(bytes).image());
    }

    /**
     * Decodes a JPEG or PNG and applies its EXIF orientation.
     *
     * @throws FaceRejectedException when the bytes are not a complete JPEG or PNG of at most
     *         {@link #MAX_PIXELS} pixels
     */
    public static Upright decodeUpright(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new FaceRejectedException("image is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new FaceRejectedException("image is not a JPEG or PNG (unrecognised format, " + bytes.length + " bytes)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (!format.equals("jpeg") && !format.equals("png")) {
                reader.dispose();
                throw new FaceRejectedException("image format " + format + " not accepted (JPEG or PNG required)");
            }
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                // javax.imageio reports a truncated JPEG only as a warning and returns a grey-padded
                // picture; a partial face must not be verified, so warnings are fatal here.
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new FaceRejectedException("image too large: " + pixels + " pixels (max " + MAX_PIXELS + ")");
                }
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new FaceRejectedException("image is corrupt or truncated: " + warnings.get(0));
                }
                int orientation = format.equals("jpeg") ? ExifOrientation.of(bytes) : ExifOrientation.ofPng(bytes);
                return new Upright(ExifOrientation.apply(image, orientation), format, orientation);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FaceRejectedException fre) {
                throw fre;
            }
            throw new FaceRejectedException("image is corrupt or truncated: " + e.getMessage());
        }
    }
}
