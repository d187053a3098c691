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
 * image. Of the metadata only the JPEG EXIF orientation is read ({@link ExifOrientation}); the
 * rest (which can carry GPS positions) is never parsed, and only pixels are kept.
 */
public final class ImageDecoder {
    /** Refuse decompression bombs before allocating their raster. */
    public static final long MAX_PIXELS = 40_000_000L;

    private ImageDecoder() {
    }

    public static RgbImage decode(byte[] bytes) {
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
                RgbImage stored = RgbImage.of(image);
                return format.equals("jpeg") ? stored.oriented(ExifOrientation.of(bytes)) : stored;
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
