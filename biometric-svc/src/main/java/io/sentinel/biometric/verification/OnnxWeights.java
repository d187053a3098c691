package io.sentinel.biometric.verification;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes near-zero float weights of a serialized ONNX model to exact zero, in place.
 *
 * <p>Why: fr_feature.onnx holds weights of magnitude ~1e-20 to 1e-39 whose products with
 * activations are denormal floats, which x86 computes ~100× slower than normal ones. ONNX
 * Runtime's {@code session.set_denormal_as_zero} sets FTZ/DAZ only on the thread that creates the
 * session, so inference run on any other thread (every gRPC worker) still took the slow path:
 * embed 64 ms instead of 10. Zeroing those weights once at load time fixes it for every thread.
 *
 * <p>onnxruntime-java ships no ONNX protobuf classes, so this is a minimal walker over the wire
 * format: ModelProto.graph(7) → GraphProto.initializer(5) and node(1).attribute(5).t(5)/tensors(10)
 * and sub-graphs g(6)/graphs(11) → TensorProto with data_type(2) FLOAT(1), raw_data(9) or packed
 * float_data(4). A float is four bytes whichever value it holds, so the bytes are overwritten in
 * place and no length prefix changes.
 */
public final class OnnxWeights {
    private static final int FLOAT = 1;

    private OnnxWeights() {
    }

    /** What {@link #flushTinyWeights} changed. */
    public record Flushed(long floats, long zeroed) {
    }

    /**
     * Sets every float weight with 0 &lt; |w| &lt; {@code below} to 0 in {@code model} (a serialized
     * ModelProto, modified in place).
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
     */
    public static Flushed flushTinyWeights(byte[] model, float below) {
        long[] counts = new long[2];
        Reader r = new Reader(model, 0, model.length);
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 7 && (tag & 7) == 2) {
                graph(model, r.slice(), below, counts);
            } else {
                r.skip(tag);
            }
        }
        return new Flushed(counts[0], counts[1]);
    }

    private static void graph(byte[] b, Reader r, float below, long[] counts) {
        while (r.more()) {
            int tag = r.tag();
            int field = tag >>> 3;
            if (field == 5 && (tag & 7) == 2) {
                tensor(b, r.slice(), below, counts);
            } else if (field == 1 && (tag & 7) == 2) {
                node(b, r.slice(), below, counts);
            } else {
                r.skip(tag);
            }
        }
    }

    private static void node(byte[] b, Reader r, float below, long[] counts) {
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 5 && (tag & 7) == 2) {
                attribute(b, r.slice(), below, counts);
            } else {
                r.skip(tag);
            }
        }
    }

    private static void attribute(byte[] b, Reader r, float below, long[] counts) {
        while (r.more()) {
            int tag = r.tag();
            int field = tag >>> 3;
            if ((field == 5 || field == 10) && (tag & 7) == 2) {
                tensor(b, r.slice(), below, counts);
            } else if ((field == 6 || field == 11) && (tag & 7) == 2) {
                graph(b, r.slice(), below, counts);
            } else {
                r.skip(tag);
            }
        }
    }

    private static void tensor(byte[] b, Reader r, float below, long[] counts) {
        long dataType = -1;
        // Regions of float bytes: [offset, length) pairs, applied once data_type is known.
        List<int[]> regions = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 2 && wire == 0) {
                dataType = r.varint();
            } else if ((field == 9 || field == 4) && wire == 2) {
                Reader s = r.slice();
                regions.add(new int[] {s.pos, s.end - s.pos});
            } else if (field == 4 && wire == 5) {
                regions.add(new int[] {r.pos, 4});
                r.skip(tag);
            } else {
                r.skip(tag);
            }
        }
        if (dataType != FLOAT) {
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        // Compared as bits, not floats: ONNX Runtime turns on denormals-are-zero for the thread that
        // creates the first session, and on such a thread a denormal weight compares equal to 0f.
        int limit = Float.floatToRawIntBits(Math.abs(below));
        for (int[] region : regions) {
            if (region[1] % 4 != 0) {
                throw new IllegalArgumentException("float tensor data of " + region[1] + " bytes is not a multiple of 4");
            }
            for (int p = region[0]; p < region[0] + region[1]; p += 4) {
                int magnitude = buf.getInt(p) & 0x7FFFFFFF;
                counts[0]++;
                if (magnitude != 0 && magnitude < limit) {
                    buf.putInt(p, 0);
                    counts[1]++;
                }
            }
        }
    }

    /** Cursor over one protobuf message: [pos, end) of the shared buffer. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long t = varint();
            if (t == 0 || t > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("malformed protobuf tag " + t + " at byte " + pos);
            }
            return (int) t;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint at byte " + pos);
                }
                int x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at byte " + pos);
        }

        Reader slice() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw new IllegalArgumentException("length " + len + " at byte " + pos + " runs past its message");
            }
            Reader s = new Reader(b, pos, pos + (int) len);
            pos += (int) len;
            return s;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> slice();
                case 5 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7) + " at byte " + pos);
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw new IllegalArgumentException("field runs past its message at byte " + pos);
            }
            pos += n;
        }
    }
}
