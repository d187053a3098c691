package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-encoded ModelProto messages, so every branch of the wire-format walker is pinned down. */
class OnnxWeightsTest {
    private static final float DENORMAL = Float.MIN_NORMAL / 4;

    @Test
    void zeroesTinyFloatsInRawAndPackedInitializersAndConstantNodes() {
        byte[] raw = floats(DENORMAL, 1e-20f, -1e-16f, 0.5f, -2f, 0f);
        byte[] packed = floats(1e-30f, 3f);
        byte[] constant = floats(-DENORMAL, 1f);
        byte[] model = model(
                graph(
                        field(5, tensor(1, 9, raw)),
                        field(5, tensor(1, 4, packed)),
                        field(1, node(field(5, attribute(field(5, tensor(1, 9, constant))))))));
        int rawAt = indexOf(model, raw);
        int packedAt = indexOf(model, packed);
        int constantAt = indexOf(model, constant);
        OnnxWeights.Flushed f = OnnxWeights.flushTinyWeights(model, 1e-15f);
        assertEquals(new OnnxWeights.Flushed(10, 5), f);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.5f, -2f, 0f}, floatsAt(model, rawAt, 6));
        assertArrayEquals(new float[] {0f, 3f}, floatsAt(model, packedAt, 2));
        assertArrayEquals(new float[] {0f, 1f}, floatsAt(model, constantAt, 2));
    }

    @Test
    void leavesTensorsOfOtherTypesAlone() {
        // INT32 (6) data whose bit patterns read as tiny floats must not be touched.
        byte[] ints = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(7).array();
        byte[] model = model(graph(field(5, tensor(6, 9, ints))));
        byte[] before = model.clone();
        assertEquals(new OnnxWeights.Flushed(0, 0), OnnxWeights.flushTinyWeights(model, 1e-15f));
        assertArrayEquals(before, model);
    }

    @Test
    void handlesDataTypeWrittenAfterTheData() {
        byte[] raw = floats(1e-20f, 1f);
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        write(t, field(9, raw));
        write(t, varintField(2, 1));
        byte[] model = model(graph(field(5, t.toByteArray())));
        assertEquals(new OnnxWeights.Flushed(2, 1), OnnxWeights.flushTinyWeights(model, 1e-15f));
    }

    @Test
    void aSecondPassFindsNothingLeftInTheRealEmbedder() throws Exception {
        byte[] model = java.nio.file.Files.readAllBytes(FaceFixtures.dir().resolve(FaceModels.FEATURE));
        OnnxWeights.Flushed first = OnnxWeights.flushTinyWeights(model, FaceModels.FLUSH_BELOW);
        // 8,938 of its weights are denormal and many more are below 1e-15 (measured on the npm model).
        assertTrue(first.zeroed() > 100_000, first::toString);
        assertEquals(0, OnnxWeights.flushTinyWeights(model, FaceModels.FLUSH_BELOW).zeroed());
    }

    @Test
    void rejectsBytesThatAreNotAProtobufMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxWeights.flushTinyWeights(new byte[] {0x3A, 0x7F, 0x01}, 1e-15f));
        assertEquals("length 127 at byte 2 runs past its message", e.getMessage());
        IllegalArgumentException wire = assertThrows(IllegalArgumentException.class,
                () -> OnnxWeights.flushTinyWeights(new byte[] {0x0B}, 1e-15f));
        assertEquals("unsupported protobuf wire type 3 at byte 1", wire.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("data not found");
    }

    private static float[] floatsAt(byte[] model, int at, int count) {
        ByteBuffer b = ByteBuffer.wrap(model, at, 4 * count).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        for (int k = 0; k < count; k++) {
            out[k] = b.getFloat();
        }
        return out;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static byte[] model(byte[] graph) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        write(m, varintField(1, 8)); // ir_version
        write(m, field(7, graph));
        return m.toByteArray();
    }

    private static byte[] graph(byte[]... fields) {
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        write(g, field(2, "g".getBytes()));
        Arrays.stream(fields).forEach(f -> write(g, f));
        return g.toByteArray();
    }

    private static byte[] node(byte[]... fields) {
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        write(n, field(4, "Constant".getBytes()));
        Arrays.stream(fields).forEach(f -> write(n, f));
        return n.toByteArray();
    }

    private static byte[] attribute(byte[]... fields) {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        write(a, field(1, "value".getBytes()));
        Arrays.stream(fields).forEach(f -> write(a, f));
        return a.toByteArray();
    }

    private static byte[] tensor(int dataType, int dataField, byte[] data) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        write(t, varintField(1, data.length / 4)); // dims
        write(t, varintField(2, dataType));
        write(t, field(8, "w".getBytes()));
        write(t, field(dataField, data));
        return t.toByteArray();
    }

    private static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        varint(f, (number << 3) | 2);
        varint(f, payload.length);
        write(f, payload);
        return f.toByteArray();
    }

    private static byte[] varintField(int number, long value) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        varint(f, number << 3);
        varint(f, value);
        return f.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void write(ByteArrayOutputStream out, byte[] b) {
        out.write(b, 0, b.length);
    }
}
