package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sentinel.biometric.verification.FaceFixtures.FaceCrop;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {
    static final int RED = 0xFF0000;
    static final int GREEN = 0x00FF00;
    static final int BLUE = 0x0000FF;
    static final int WHITE = 0xFFFFFF;

    /** Displayed corners (TL, TR, BL, BR) of a stored 40×20 image with corners red, green, blue, white. */
    static final int[][] DISPLAYED_CORNERS = {
        null,
        {RED, GREEN, BLUE, WHITE},
        {GREEN, RED, WHITE, BLUE},
        {WHITE, BLUE, GREEN, RED},
        {BLUE, WHITE, RED, GREEN},
        {RED, BLUE, GREEN, WHITE},
        {BLUE, RED, WHITE, GREEN},
        {WHITE, GREEN, BLUE, RED},
        {GREEN, WHITE, RED, BLUE},
    };

    @Test
    void decodingTurnsEachOfTheEightOrientationsUpright() {
        BufferedImage stored = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                stored.setRGB(x, y, y < 10 ? (x < 20 ? RED : GREEN) : (x < 20 ? BLUE : WHITE));
            }
        }
        byte[] jpeg = FaceFixtures.jpeg(stored, 0.95f);
        for (int o = 1; o <= 8; o++) {
            for (boolean little : new boolean[] {false, true}) {
                byte[] tagged = withOrientation(jpeg, o, little);
                assertEquals(o, ExifOrientation.of(tagged));
                RgbImage img = ImageDecoder.decode(tagged);
                boolean swapped = o >= 5;
                assertEquals(swapped ? 20 : 40, img.width(), "orientation " + o);
                assertEquals(swapped ? 40 : 20, img.height(), "orientation " + o);
                int w = img.width() - 2;
                int h = img.height() - 2;
                int[] corners = {img.rgbAt(1, 1), img.rgbAt(w, 1), img.rgbAt(1, h), img.rgbAt(w, h)};
                for (int k = 0; k < 4; k++) {
                    assertColour(DISPLAYED_CORNERS[o][k], corners[k], "orientation " + o + " corner " + k);
                }
            }
        }
    }

    @Test
    void aJpegWithoutExifOrWithABrokenOrOutOfRangeTagIsTakenAsStored() {
        byte[] jpeg = FaceFixtures.jpeg(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), 0.9f);
        assertEquals(1, ExifOrientation.of(jpeg));
        assertEquals(1, ExifOrientation.of(withOrientation(jpeg, 9, false)));
        assertEquals(1, ExifOrientation.of(withOrientation(jpeg, 0, true)));
        byte[] broken = withOrientation(jpeg, 6, false);
        broken[app0End(jpeg) + 10] = 'X'; // corrupt the TIFF byte-order mark after FF E1, length, "Exif\0\0"
        assertEquals(1, ExifOrientation.of(broken));
        assertEquals(1, ExifOrientation.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0x7F, 0x7F}));
    }

    @Test
    void aSelfieStoredSidewaysWithItsOrientationTagStillMatches() {
        FaceVerifier verifier = new FaceVerifier(FaceFixtures.models());
        FaceCrop face = FaceFixtures.faceCrops().get(0);
        BufferedImage upright = face.image();
        List<float[]> reference = List.of(verifier.extract(FaceFixtures.jpeg(upright, 0.95f)).embedding());
        // Phone-style storage: the pixels turned so that the tag's rotation makes them upright again.
        for (int[] c : new int[][] {{6, 270}, {8, 90}, {3, 180}}) {
            byte[] stored = FaceFixtures.jpeg(quarterTurns(upright, c[1]), 0.9f);
            FaceVerifier.Result r = verifier.verify(withOrientation(stored, c[0], c[0] == 8), reference);
            assertEquals(FaceVerifier.Decision.MATCH, r.decision(), "orientation " + c[0] + ": " + r);
            assertTrue(r.similarity() > 0.9, "orientation " + c[0] + ": " + r);
            // Without the tag the same pixels are a face on its side, which must not pass as the upright one.
            FaceVerifier.Result untagged = verifier.verify(stored, reference);
            assertNotEquals(FaceVerifier.Decision.MATCH, untagged.decision(), "untagged orientation " + c[0] + ": " + untagged);
        }
    }

    /** The image turned clockwise by a multiple of 90° with Java2D (independent of RgbImage.oriented). */
    static BufferedImage quarterTurns(BufferedImage src, int degrees) {
        boolean swap = degrees % 180 != 0;
        int w = swap ? src.getHeight() : src.getWidth();
        int h = swap ? src.getWidth() : src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        AffineTransform t = new AffineTransform();
        t.translate(w / 2.0, h / 2.0);
        t.rotate(Math.toRadians(degrees));
        t.translate(-src.getWidth() / 2.0, -src.getHeight() / 2.0);
        g.drawImage(src, t, null);
        g.dispose();
        return out;
    }

    private static void assertColour(int expected, int actual, String where) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) < 40, where + ": expected " + Integer.toHexString(expected) + " got " + Integer.toHexString(actual));
        }
    }

    /**
     * The JPEG with an APP1 Exif segment holding only IFD0 with the orientation tag, placed after
     * the JFIF APP0 segment that ImageIO writes first.
     */
    static byte[] withOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        if (littleEndian) {
            tiff.writeBytes(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
                (byte) orientation, 0, 0, 0, 0, 0, 0, 0});
        } else {
            tiff.writeBytes(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
                0, (byte) orientation, 0, 0, 0, 0, 0, 0});
        }
        byte[] exif = tiff.toByteArray();
        int segLen = 2 + 6 + exif.length;
        int app0End = app0End(jpeg);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, app0End);
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (segLen >> 8), (byte) segLen, 'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(exif);
        out.write(jpeg, app0End, jpeg.length - app0End);
        return out.toByteArray();
    }

    private static int app0End(byte[] jpeg) {
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            return 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        return 2;
    }
}
