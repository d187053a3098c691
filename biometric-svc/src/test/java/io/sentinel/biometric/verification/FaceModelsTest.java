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
    void refusesADirectoryWithoutTheModels(@TempDir Path empty) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaceModels.load(empty));
        assertEquals("face model directory " + empty + " lacks fr_detect.onnx (run scripts/fetch-face-models.sh)",
                e.getMessage());
    }
}
