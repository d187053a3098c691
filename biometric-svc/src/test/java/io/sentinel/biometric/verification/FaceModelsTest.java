package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceModelsTest {
    @Test
    void modelIdIsDerivedFromTheModelFilesAndStable() {
        String id = FaceFixtures.models().modelId();
        assertTrue(id.matches("fr-[0-9a-f]{16}"), id);
        assertEquals(id, FaceModels.modelIdOf(FaceFixtures.dir()));
    }

    @Test
    void flushingTinyWeightsLeavesEveryEmbeddingOfTheSampleFacesUnchanged() {
        FaceVerifier flushed = new FaceVerifier(FaceFixtures.models());
        double worst = 2;
        try (FaceModels unmodified = FaceModels.load(FaceFixtures.dir(), 1, 0f)) {
            FaceVerifier original = new FaceVerifier(unmodified);
            java.util.List<FaceFixtures.FaceCrop> crops = FaceFixtures.faceCrops();
            assertEquals(22, crops.size());
            for (FaceFixtures.FaceCrop c : crops) {
                byte[] jpeg = FaceFixtures.jpeg(c.image(), 0.95f);
                double cos = FaceEmbedder.cosine(flushed.extract(jpeg).embedding(), original.extract(jpeg).embedding());
                worst = Math.min(worst, cos);
                assertTrue(cos >= 0.9999, c.name() + " cosine " + cos);
            }
        }
        System.out.printf("flushed vs unmodified embedder: lowest cosine %.6f%n", worst);
    }

    @Test
    void refusesADirectoryWithoutTheModels(@TempDir Path empty) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaceModels.load(empty));
        assertEquals("face model directory " + empty + " lacks fr_detect.onnx (run scripts/fetch-face-models.sh)",
                e.getMessage());
    }
}
