package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaceDetectorTest {
    // Counts checked by eye on the annotated photos: every visible face, nothing else.
    @ParameterizedTest(name = "sample{0}.jpg has {1} faces")
    @CsvSource({"1, 3", "2, 3", "3, 3", "4, 4", "5, 5", "6, 4"})
    void findsEveryFaceInTheSampleGroupPhotos(int sample, int expected) {
        RgbImage image = ImageDecoder.decode(FaceFixtures.sampleBytes(sample));
        List<FaceBox> faces = new FaceDetector(FaceFixtures.models()).detect(image);

        assertEquals(expected, faces.size(), () -> "faces in sample" + sample + ": " + faces);
        for (FaceBox f : faces) {
            assertTrue(f.score() >= FaceDetector.DEFAULT_SCORE_THRESHOLD, f::toString);
            // Faces in these photos are 200-320 px wide; a box far off that size is a false hit.
            assertTrue(f.sizePx() > 150 && f.sizePx() < 400, f::toString);
        }
    }

    @ParameterizedTest(name = "boxes in sample{0}.jpg do not overlap")
    @CsvSource({"1", "2", "3", "4", "5", "6"})
    void suppressesDuplicateBoxesOfOneFace(int sample) {
        List<FaceBox> faces = new FaceDetector(FaceFixtures.models())
                .detect(ImageDecoder.decode(FaceFixtures.sampleBytes(sample)));
        for (int i = 0; i < faces.size(); i++) {
            for (int j = i + 1; j < faces.size(); j++) {
                assertTrue(faces.get(i).iou(faces.get(j)) < 0.1, faces.get(i) + " overlaps " + faces.get(j));
            }
        }
    }
}
