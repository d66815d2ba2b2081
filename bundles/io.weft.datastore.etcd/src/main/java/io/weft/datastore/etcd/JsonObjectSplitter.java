package io.weft.datastore.etcd;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Cuts a streamed HTTP body into the JSON objects it carries. The gateway writes one object per
 * message (newline-separated in practice) and HTTP chunks fall anywhere, so this tracks nesting
 * and strings rather than trusting line breaks.
 */
final class JsonObjectSplitter {

    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private int depth;
    private boolean inString;
    private boolean escaped;

    /** Consumes {@code chunk} and returns every object it completed, in order. */
    List<byte[]> feed(ByteBuf chunk) {
        List<byte[]> complete = new ArrayList<>(1);
        for (int i = chunk.readerIndex(), end = chunk.writerIndex(); i < end; i++) {
            byte b = chunk.getByte(i);
            if (depth == 0) {
                if (b == '{' || b == '[') {
                    depth = 1;
                    current.write(b);
                }
                continue; // whitespace between objects
            }
            current.write(b);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                complete.add(current.toByteArray());
                current.reset();
            }
        }
        return complete;
    }
}
