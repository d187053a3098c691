package io.sentinel.common.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import io.sentinel.common.error.SentinelException;

/**
 * REST bodies in the canonical protobuf JSON mapping, so REST and gRPC share one contract
 * (the .proto files) instead of two that drift apart.
 */
public final class ProtoJson {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ProtoJson() {
    }

    public static String print(MessageOrBuilder m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a body into a message builder; malformed or unknown fields are a 400 naming the cause. */
    public static <B extends Message.Builder> B parse(String json, B builder) {
        if (json == null || json.isBlank()) {
            throw SentinelException.invalid("body", "a JSON body is required");
        }
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw SentinelException.invalid("body", "malformed JSON: " + e.getMessage());
        }
    }
}
