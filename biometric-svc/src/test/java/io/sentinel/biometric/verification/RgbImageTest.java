package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RgbImageTest {
    @Test
    void readsByteRastersDirectlyWithTheSamePixelsAsGetRgb() {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_RGB}) {
            BufferedImage img = new BufferedImage(37, 23, type);
            Random r = new Random(type);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, r.nextInt(0x1000000));
                }
            }
            RgbImage rgb = RgbImage.of(img);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    assertEquals(img.getRGB(x, y) & 0xFFFFFF, rgb.rgbAt(x, y), "type " + type + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void readsASubImageThroughItsOffset() {
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(10, 10, 0x123456);
        RgbImage sub = RgbImage.of(img.getSubimage(5, 5, 10, 10));
        assertEquals(0x123456, sub.rgbAt(5, 5));
        assertEquals(10, sub.width());
    }
}
