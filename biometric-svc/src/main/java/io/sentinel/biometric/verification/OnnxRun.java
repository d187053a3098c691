package io.sentinel.biometric.verification;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a single-input float model and copies one named output out of native memory. */
final class OnnxRun {
    private OnnxRun() {
    }

    static float[][] run(FaceModels models, OrtSession session, float[] input, long[] shape, String... outputs) {
        try (OnnxTensor tensor = OnnxTensor.createTensor(models.env(), FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of("input", tensor))) {
            float[][] out = new float[outputs.length][];
            for (int i = 0; i < outputs.length; i++) {
                String name = outputs[i];
                OnnxTensor t = (OnnxTensor) result.get(name)
                        .orElseThrow(() -> new IllegalStateException("model has no output named " + name));
                FloatBuffer fb = t.getFloatBuffer();
                out[i] = new float[fb.remaining()];
                fb.get(out[i]);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX inference failed: " + e.getMessage(), e);
        }
    }
}
