package io.sentinel.biometric.verification;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Controlled alterations of a photo (crop, scale, rotate, darken, brighten, blur, JPEG re-encode)
 * that make genuine pairs for calibration ({@link Calibrate}), the benchmark probe and the tests.
 */
public final class ImageAlterations {
    private ImageAlterations() {
    }

    /** A square crop of {@code factor} × the face's size around its centre, clipped to the image. */
    public static BufferedImage cropAround(BufferedImage img, FaceBox f, float factor) {
        float side = factor * f.sizePx();
        int cx = Math.round((f.x1() + f.x2()) / 2);
        int cy = Math.round((f.y1() + f.y2()) / 2);
        int x0 = Math.max(0, Math.round(cx - side / 2));
        int y0 = Math.max(0, Math.round(cy - side / 2));
        int x1 = Math.min(img.getWidth(), Math.round(cx + side / 2));
        int y1 = Math.min(img.getHeight(), Math.round(cy + side / 2));
        return copy(img.getSubimage(x0, y0, x1 - x0, y1 - y0));
    }

    /** An independent RGB copy (a sub-image shares its parent's raster). */
    public static BufferedImage copy(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    public static BufferedImage scaled(BufferedImage src, double factor) {
        return resized(src, (int) Math.round(src.getWidth() * factor), (int) Math.round(src.getHeight() * factor));
    }

    public static BufferedImage resized(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** Rotated about the centre by {@code degrees} (clockwise on screen), corners filled black. */
    public static BufferedImage rotated(BufferedImage src, double degrees) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, AffineTransform.getRotateInstance(Math.toRadians(degrees), src.getWidth() / 2.0, src.getHeight() / 2.0), null);
        g.dispose();
        return out;
    }

    /** Every channel multiplied by {@code factor} (below 1 darkens, above 1 brightens and clips at 255). */
    public static BufferedImage darkened(BufferedImage src, double factor) {
        BufferedImage out = copy(src);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int p = out.getRGB(x, y);
                int r = Math.min(255, (int) (((p >> 16) & 0xFF) * factor));
                int g = Math.min(255, (int) (((p >> 8) & 0xFF) * factor));
                int b = Math.min(255, (int) ((p & 0xFF) * factor));
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /** Box blur of the given radius (pixels), edges kept by a mirrored border. */
    public static BufferedImage blurred(BufferedImage src, int radius) {
        int k = 2 * radius + 1;
        float[] weights = new float[k * k];
        java.util.Arrays.fill(weights, 1f / (k * k));
        BufferedImage padded = new BufferedImage(src.getWidth() + 2 * radius, src.getHeight() + 2 * radius, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < padded.getHeight(); y++) {
            for (int x = 0; x < padded.getWidth(); x++) {
                int sx = Math.min(Math.max(x - radius, 0), src.getWidth() - 1);
                int sy = Math.min(Math.max(y - radius, 0), src.getHeight() - 1);
                padded.setRGB(x, y, src.getRGB(sx, sy));
            }
        }
        BufferedImage out = new ConvolveOp(new Kernel(k, k, weights), ConvolveOp.EDGE_NO_OP, null).filter(padded, null);
        return copy(out.getSubimage(radius, radius, src.getWidth(), src.getHeight()));
    }

    public static byte[] jpeg(BufferedImage img, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
