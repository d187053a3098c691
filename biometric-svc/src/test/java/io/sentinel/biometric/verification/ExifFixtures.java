package io.sentinel.biometric.verification;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the metadata a phone puts into a photo (a real EXIF APP1 segment with Make, Orientation
 * and a GPS IFD holding latitude and longitude; XMP, IPTC, ICC and comment segments; PNG text and
 * eXIf chunks), and lists what a JPEG or PNG carries, for the metadata-removal tests.
 */
final class ExifFixtures {
    /** 51°30'26.00"N 0°07'39.00"W, as three RATIONALs each (degrees, minutes, hundredths of seconds). */
    static final long[] LATITUDE = {51, 1, 30, 1, 2600, 100};
    static final long[] LONGITUDE = {0, 1, 7, 1, 3900, 100};
    /** The GPSProcessingMethod value: an ASCII character-code prefix, then the method's name. */
    static final byte[] PROCESSING_METHOD = "ASCII\0\0\0GPS".getBytes(StandardCharsets.ISO_8859_1);
    static final String MAKE = "AcmePhone SN-4711";

    private ExifFixtures() {
    }

    /** The TIFF body of an Exif APP1: IFD0 (Make, Orientation, GPS IFD pointer), then the GPS IFD. */
    static byte[] exifTiff(int orientation, boolean littleEndian) {
        ByteOrder order = littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        byte[] make = (MAKE + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int ifd0 = 8;
        int gpsIfd = ifd0 + 2 + 3 * 12 + 4;
        int data = gpsIfd + 2 + 5 * 12 + 4;
        int makeAt = data;
        int latAt = makeAt + make.length + (make.length % 2);
        int lonAt = latAt + 24;
        int methodAt = lonAt + 24;
        ByteBuffer b = ByteBuffer.allocate(methodAt + PROCESSING_METHOD.length).order(order);
        b.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M').putShort((short) 42).putInt(ifd0);
        b.putShort((short) 3);
        entry(b, 0x010F, 2, make.length, makeAt);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        entry(b, 0x8825, 4, 1, gpsIfd);
        b.putInt(0);
        b.putShort((short) 5);
        b.putShort((short) 0x0001).putShort((short) 2).putInt(2).put((byte) 'N').put((byte) 0).putShort((short) 0);
        entry(b, 0x0002, 5, 3, latAt);
        b.putShort((short) 0x0003).putShort((short) 2).putInt(2).put((byte) 'W').put((byte) 0).putShort((short) 0);
        entry(b, 0x0004, 5, 3, lonAt);
        entry(b, 0x001B, 7, PROCESSING_METHOD.length, methodAt);
        b.putInt(0);
        b.put(make);
        if (make.length % 2 == 1) {
            b.put((byte) 0);
        }
        for (long v : LATITUDE) {
            b.putInt((int) v);
        }
        for (long v : LONGITUDE) {
            b.putInt((int) v);
        }
        b.put(PROCESSING_METHOD);
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, int valueOrOffset) {
        b.putShort((short) tag).putShort((short) type).putInt(count).putInt(valueOrOffset);
    }

    /** The latitude's three RATIONALs as they sit in the segment: gone from a clean file. */
    static byte[] latitudeBytes(boolean littleEndian) {
        ByteBuffer b = ByteBuffer.allocate(24).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (long v : LATITUDE) {
            b.putInt((int) v);
        }
        return b.array();
    }

    /** The JPEG with a phone's Exif APP1 (orientation, GPS position, make) inserted after its JFIF APP0. */
    static byte[] withGpsExif(byte[] jpeg, int orientation, boolean littleEndian) {
        return withSegments(jpeg, segment(0xE1, concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), exifTiff(orientation, littleEndian))));
    }

    /** Every other kind of metadata a JPEG can carry: XMP, IPTC, an ICC profile, a comment, bytes after EOI. */
    static byte[] withEveryKindOfMetadata(byte[] jpeg) {
        byte[] xmp = concat("http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1),
                "<x:xmpmeta><exif:GPSLatitude>51,30.43N</exif:GPSLatitude></x:xmpmeta>".getBytes(StandardCharsets.UTF_8));
        byte[] iptc = concat("Photoshop 3.0\0".getBytes(StandardCharsets.ISO_8859_1),
                "8BIM\u0004\u0004\0\0\0\0\0\u0010\u001c\u0002\u0074\0\nJohn Smith".getBytes(StandardCharsets.ISO_8859_1));
        byte[] icc = concat("ICC_PROFILE\0\u0001\u0001".getBytes(StandardCharsets.ISO_8859_1),
                java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_sRGB).getData());
        byte[] comment = "taken by device 356938035643809 at home".getBytes(StandardCharsets.ISO_8859_1);
        byte[] tagged = withGpsExif(jpeg, 1, false);
        byte[] more = withSegments(tagged, segment(0xE1, xmp), segment(0xED, iptc), segment(0xE2, icc), segment(0xFE, comment));
        return concat(more, "MotionPhoto_Data trailer with GPS".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** An Exif APP1 whose TIFF structure is garbage: a bad IFD offset and stray text. */
    static byte[] withMalformedExif(byte[] jpeg) {
        byte[] garbage = concat("Exif\0\0MM\0*\u00ff\u00ff\u00ff\u0000".getBytes(StandardCharsets.ISO_8859_1),
                "GPS 51.5072N 0.1276W serial SN-4711".getBytes(StandardCharsets.ISO_8859_1));
        return withSegments(jpeg, segment(0xE1, garbage));
    }

    static byte[] segment(int marker, byte[] payload) {
        int len = payload.length + 2;
        return concat(new byte[] {(byte) 0xFF, (byte) marker, (byte) (len >> 8), (byte) len}, payload);
    }

    /** The JPEG with the segments inserted after SOI and any JFIF APP0, where cameras put them. */
    static byte[] withSegments(byte[] jpeg, byte[]... segments) {
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, at);
        for (byte[] s : segments) {
            out.writeBytes(s);
        }
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    /** The markers of a JPEG's segments before its scan, e.g. [0xE0, 0xDB, 0xC0, 0xC4, 0xDA]. */
    static List<Integer> jpegMarkers(byte[] jpeg) {
        List<Integer> markers = new ArrayList<>();
        int p = 2;
        while (p + 4 <= jpeg.length && (jpeg[p] & 0xFF) == 0xFF) {
            int marker = jpeg[p + 1] & 0xFF;
            markers.add(marker);
            if (marker == 0xDA) {
                break;
            }
            p += 2 + (((jpeg[p + 2] & 0xFF) << 8) | (jpeg[p + 3] & 0xFF));
        }
        return markers;
    }

    /** Whether the JPEG ends right at its EOI marker. */
    static boolean endsAtEoi(byte[] jpeg) {
        return (jpeg[jpeg.length - 2] & 0xFF) == 0xFF && (jpeg[jpeg.length - 1] & 0xFF) == 0xD9;
    }

    /** The PNG with chunks inserted right after IHDR. */
    static byte[] pngWithChunks(byte[] png, byte[]... chunks) {
        int ihdrEnd = 8 + 12 + 13;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, ihdrEnd);
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        out.write(png, ihdrEnd, png.length - ihdrEnd);
        return out.toByteArray();
    }

    static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The chunk types of a PNG, in order. */
    static List<String> pngChunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        int p = 8;
        while (p + 8 <= png.length) {
            int len = ByteBuffer.wrap(png, p, 4).getInt();
            types.add(new String(png, p + 4, 4, StandardCharsets.US_ASCII));
            p += 12 + len;
        }
        return types;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static boolean contains(byte[] haystack, String ascii) {
        return contains(haystack, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
