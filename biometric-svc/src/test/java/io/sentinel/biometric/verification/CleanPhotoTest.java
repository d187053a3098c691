package io.sentinel.biometric.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

class CleanPhotoTest {
    /** What a clean JPEG may hold before its scan: JFIF APP0, tables, frame header. */
    private static final List<Integer> IMAGE_SEGMENTS = List.of(0xE0, 0xDB, 0xC4, 0xDD, 0xC0, 0xC1, 0xC2, 0xDA);

    @Test
    void removesGpsExifXmpIptcIccCommentsAndTrailingBytesFromAJpeg() {
        byte[] upload = ExifFixtures.withEveryKindOfMetadata(FaceFixtures.jpeg(corners(40, 20), 0.95f));
        assertThat(ExifFixtures.jpegMarkers(upload)).contains(0xE1, 0xED, 0xE2, 0xFE);
        assertThat(ExifFixtures.contains(upload, ExifFixtures.latitudeBytes(false))).isTrue();

        CleanPhoto clean = CleanPhoto.of(upload);

        byte[] b = clean.bytes();
        assertThat(clean.contentType()).isEqualTo("image/jpeg");
        assertThat(IMAGE_SEGMENTS).containsAll(ExifFixtures.jpegMarkers(b));
        assertThat(ExifFixtures.jpegMarkers(b)).doesNotContain(0xE1, 0xE2, 0xED, 0xFE);
        for (String marker : new String[] {"Exif", "GPS", "http://ns.adobe.com", "Photoshop", "8BIM", "ICC_PROFILE", "AcmePhone",
            "SN-4711", "John Smith", "356938035643809", "MotionPhoto"}) {
            assertThat(ExifFixtures.contains(b, marker)).as(marker).isFalse();
        }
        assertThat(ExifFixtures.contains(b, ExifFixtures.latitudeBytes(false))).isFalse();
        assertThat(ExifFixtures.endsAtEoi(b)).isTrue();
        assertThat(clean.orientationApplied()).isEqualTo(1);
        BufferedImage decoded = read(b);
        assertThat(decoded.getWidth()).isEqualTo(40);
        assertThat(decoded.getHeight()).isEqualTo(20);
    }

    @Test
    void turnsEachOfTheEightOrientationsIntoThePixelsInBothByteOrders() {
        byte[] jpeg = FaceFixtures.jpeg(corners(40, 20), 0.95f);
        for (int o = 1; o <= 8; o++) {
            for (boolean little : new boolean[] {false, true}) {
                String where = "orientation " + o + (little ? " II" : " MM");
                CleanPhoto clean = CleanPhoto.of(ExifFixtures.withGpsExif(jpeg, o, little));
                assertThat(clean.orientationApplied()).as(where).isEqualTo(o);
                assertThat(ExifFixtures.jpegMarkers(clean.bytes())).as(where).doesNotContain(0xE1);
                // Read with ImageIO alone: the stored file must look upright with no tag to interpret.
                BufferedImage shown = read(clean.bytes());
                boolean swapped = o >= 5;
                assertThat(shown.getWidth()).as(where).isEqualTo(swapped ? 20 : 40);
                assertThat(shown.getHeight()).as(where).isEqualTo(swapped ? 40 : 20);
                int w = shown.getWidth() - 2;
                int h = shown.getHeight() - 2;
                int[] seen = {shown.getRGB(1, 1), shown.getRGB(w, 1), shown.getRGB(1, h), shown.getRGB(w, h)};
                for (int k = 0; k < 4; k++) {
                    assertClose(ExifOrientationTest.DISPLAYED_CORNERS[o][k], seen[k], where + " corner " + k);
                }
            }
        }
    }

    @Test
    void aMalformedExifSegmentIsIgnoredAndTheImageStillStoredClean() {
        byte[] upload = ExifFixtures.withMalformedExif(FaceFixtures.jpeg(corners(40, 20), 0.95f));
        assertThat(ExifOrientation.of(upload)).isEqualTo(1);

        CleanPhoto clean = CleanPhoto.of(upload);

        assertThat(ExifFixtures.jpegMarkers(clean.bytes())).doesNotContain(0xE1);
        assertThat(ExifFixtures.contains(clean.bytes(), "GPS")).isFalse();
        assertThat(ExifFixtures.contains(clean.bytes(), "Exif")).isFalse();
        assertThat(read(clean.bytes()).getWidth()).isEqualTo(40);
        // A segment length running past the end of the file cannot be framed: orientation 1, not a refusal.
        byte[] cut = Arrays.copyOf(ExifFixtures.withGpsExif(FaceFixtures.jpeg(corners(40, 20), 0.95f), 6, false), 30);
        assertThat(ExifOrientation.of(cut)).isEqualTo(1);
    }

    @Test
    void aPngStaysAPngWithOnlyItsImageChunksAndItsExifOrientationApplied() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(corners(40, 20), "png", out);
        byte[] upload = ExifFixtures.pngWithChunks(out.toByteArray(),
                ExifFixtures.pngChunk("eXIf", ExifFixtures.exifTiff(6, true)),
                ExifFixtures.pngChunk("tEXt", "Comment\0GPS 51.5072N".getBytes(StandardCharsets.ISO_8859_1)),
                ExifFixtures.pngChunk("iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>".getBytes(StandardCharsets.ISO_8859_1)),
                ExifFixtures.pngChunk("tIME", new byte[] {0x07, (byte) 0xEA, 1, 2, 3, 4, 5}));
        assertThat(ExifOrientation.ofPng(upload)).isEqualTo(6);

        CleanPhoto clean = CleanPhoto.of(upload);

        assertThat(clean.contentType()).isEqualTo("image/png");
        assertThat(ExifFixtures.pngChunkTypes(clean.bytes())).containsOnly("IHDR", "IDAT", "IEND");
        assertThat(ExifFixtures.contains(clean.bytes(), "GPS")).isFalse();
        BufferedImage shown = read(clean.bytes());
        assertThat(shown.getWidth()).isEqualTo(20);
        assertThat(shown.getHeight()).isEqualTo(40);
        // Lossless: exactly the upright pixels the face pipeline reads.
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 20; x++) {
                assertThat(shown.getRGB(x, y) & 0xFFFFFF).isEqualTo(clean.pixels().rgbAt(x, y));
            }
        }
    }

    @Test
    void theStoredJpegHoldsThePixelsTheFacePipelineRead() {
        BufferedImage photo = gradient(120, 90);
        CleanPhoto clean = CleanPhoto.of(ExifFixtures.withGpsExif(FaceFixtures.jpeg(photo, 0.95f), 8, true));
        BufferedImage shown = read(clean.bytes());
        RgbImage seen = clean.pixels();
        assertThat(shown.getWidth()).isEqualTo(seen.width());
        assertThat(shown.getHeight()).isEqualTo(seen.height());
        double diff = 0;
        for (int y = 0; y < seen.height(); y++) {
            for (int x = 0; x < seen.width(); x++) {
                int a = shown.getRGB(x, y);
                int b = seen.rgbAt(x, y);
                for (int s = 0; s <= 16; s += 8) {
                    diff += Math.abs(((a >> s) & 0xFF) - ((b >> s) & 0xFF));
                }
            }
        }
        // JPEG at quality 0.92: on average within a few levels of 255.
        assertThat(diff / (3.0 * seen.width() * seen.height())).isLessThan(3);
    }

    @Test
    void aGreyJpegStaysGreyAndAPalettePngKeepsItsPalette() throws IOException {
        BufferedImage grey = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_GRAY);
        grey.createGraphics().drawImage(noise(30, 20, 3), 0, 0, null);
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        ImageIO.write(grey, "jpg", g);
        assertThat(read(CleanPhoto.of(g.toByteArray()).bytes()).getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);

        BufferedImage indexed = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.createGraphics().drawImage(noise(30, 20, 4), 0, 0, null);
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        ImageIO.write(indexed, "png", p);
        byte[] clean = CleanPhoto.of(p.toByteArray()).bytes();
        assertThat(ExifFixtures.pngChunkTypes(clean)).containsExactly("IHDR", "PLTE", "IDAT", "IEND");
    }

    @Test
    void anImageThatCannotBeDecodedIsRefusedWithTheReason() {
        byte[] full = FaceFixtures.jpeg(noise(200, 200, 1), 0.9f);
        assertThatThrownBy(() -> CleanPhoto.of(Arrays.copyOf(full, full.length / 2)))
                .isInstanceOf(FaceRejectedException.class).hasMessageStartingWith("image is corrupt or truncated");
        assertThatThrownBy(() -> CleanPhoto.of("GIF89a not a photo".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(FaceRejectedException.class);
        assertThatThrownBy(() -> CleanPhoto.of(new byte[0])).isInstanceOf(FaceRejectedException.class).hasMessage("image is empty");
    }

    @Test
    void orientingADecodedRasterGivesTheSamePixelsAsOrientingThePackedImage() {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_RGB,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_USHORT_GRAY}) {
            BufferedImage img = new BufferedImage(13, 7, type);
            img.createGraphics().drawImage(noise(13, 7, type), 0, 0, null);
            RgbImage packed = RgbImage.of(img);
            for (int o = 1; o <= 8; o++) {
                RgbImage expected = packed.oriented(o);
                BufferedImage turned = ExifOrientation.apply(img, o);
                assertThat(turned.getType()).as("type " + type).isEqualTo(img.getType());
                RgbImage actual = RgbImage.of(turned);
                assertThat(actual.width()).isEqualTo(expected.width());
                for (int y = 0; y < expected.height(); y++) {
                    for (int x = 0; x < expected.width(); x++) {
                        assertThat(actual.rgbAt(x, y)).as("type %d orientation %d at %d,%d", type, o, x, y).isEqualTo(expected.rgbAt(x, y));
                    }
                }
            }
        }
        assertThatThrownBy(() -> ExifOrientation.apply(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), 9))
                .hasMessage("EXIF orientation must be 1 to 8, got 9");
    }

    @Test
    void aCleanedSelfieStillMatchesItsReferenceAndAnImpostorStillDoesNot() {
        FaceVerifier verifier = new FaceVerifier(FaceFixtures.models());
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        BufferedImage upright = faces.get(0).image();
        List<float[]> reference = List.of(verifier.extract(CleanPhoto.of(FaceFixtures.jpeg(upright, 0.95f)).pixels()).embedding());
        byte[] sideways = ExifFixtures.withGpsExif(FaceFixtures.jpeg(ExifOrientationTest.quarterTurns(upright, 270), 0.9f), 6, false);

        CleanPhoto clean = CleanPhoto.of(sideways);
        FaceVerifier.Result onPixels = verifier.verify(clean.pixels(), reference);
        // The pipeline reads the same pixels as before the metadata was removed...
        assertThat(onPixels.similarity()).isEqualTo(verifier.verify(sideways, reference).similarity());
        assertThat(onPixels.decision()).isEqualTo(FaceVerifier.Decision.MATCH);
        // ...and the stored copy, verified again, is still the same person.
        FaceVerifier.Result stored = verifier.verify(clean.bytes(), reference);
        assertThat(stored.decision()).isEqualTo(FaceVerifier.Decision.MATCH);
        assertThat(stored.similarity()).isGreaterThan(0.9);

        byte[] impostor = ExifFixtures.withGpsExif(FaceFixtures.jpeg(faces.get(5).image(), 0.9f), 1, true);
        assertThat(verifier.verify(CleanPhoto.of(impostor).pixels(), reference).decision()).isNotEqualTo(FaceVerifier.Decision.MATCH);
    }

    /** A stored image whose corners are red, green, blue and white (see ExifOrientationTest). */
    private static BufferedImage corners(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, y < h / 2 ? (x < w / 2 ? ExifOrientationTest.RED : ExifOrientationTest.GREEN)
                        : (x < w / 2 ? ExifOrientationTest.BLUE : ExifOrientationTest.WHITE));
            }
        }
        return img;
    }

    private static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) * 255 / (w + h)));
            }
        }
        return img;
    }

    private static BufferedImage noise(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    private static BufferedImage read(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertClose(int expected, int actual, String where) {
        for (int s = 0; s <= 16; s += 8) {
            assertThat(Math.abs(((expected >> s) & 0xFF) - ((actual >> s) & 0xFF))).as(where).isLessThan(40);
        }
    }
}
