package io.weft.codec.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.weft.api.model.Resource;
import io.weft.api.provider.WeftProvider;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceCodec;
import io.weft.codec.Defaults;
import io.weft.codec.ResourceValidator;

/**
 * The {@link ResourceCodec}: Jackson's YAML (SnakeYAML) and JSON parsers read the text, a
 * hand-written mapping per kind turns it into the model with Calico's field names and rules,
 * {@link Defaults} and {@link ResourceValidator} finish the job; output is written the way
 * calicoctl prints it.
 *
 * <p>Stateless and thread-safe.
 */
@Component(service = ResourceCodec.class, configurationPid = "io.weft.codec")
@WeftProvider("jackson")
public final class JacksonResourceCodec implements ResourceCodec {

    /** Configuration (PID {@code io.weft.codec}); every property is optional. */
    public @interface Config {
        /**
         * Reject fields Calico does not define, or Weft does not model, instead of dropping them.
         * Leave this on: a mistyped field that is silently dropped never does what the user meant.
         */
        boolean rejectUnknownFields() default true;
    }

    private final boolean rejectUnknownFields;

    /** A codec with the default configuration, for use outside OSGi and in tests. */
    public JacksonResourceCodec() {
        this.rejectUnknownFields = true;
    }

    @Activate
    public JacksonResourceCodec(Config config) {
        this.rejectUnknownFields = config.rejectUnknownFields();
    }

    @Override
    public List<Resource> read(String text) throws InvalidResourceException {
        Objects.requireNonNull(text, "text");
        List<WireNode> documents;
        try {
            documents = WireTreeReader.documents(text);
        } catch (WireTreeReader.MalformedTextException e) {
            throw new InvalidResourceException(List.of(e.getMessage()));
        }
        if (documents.isEmpty()) {
            throw new InvalidResourceException(List.of("no resources found: the text is empty or only comments"));
        }
        DecodeContext context = new DecodeContext(rejectUnknownFields);
        ResourceDecoder decoder = new ResourceDecoder(context);
        List<String> problems = new ArrayList<>();
        List<Resource> resources = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            String where = documents.size() == 1 ? "document 1" : "document " + (i + 1);
            for (ResourceDecoder.Decoded decoded : decoder.document(documents.get(i), where)) {
                if (!decoded.clean()) {
                    continue;
                }
                Resource resource = Defaults.apply(decoded.resource());
                problems.addAll(ResourceValidator.problems(resource));
                resources.add(resource);
            }
        }
        List<String> all = new ArrayList<>(context.problems());
        all.addAll(problems);
        if (!all.isEmpty()) {
            throw new InvalidResourceException(all);
        }
        return List.copyOf(resources);
    }

    @Override
    public String writeYaml(List<? extends Resource> resources) {
        return GoYamlWriter.write(tree(resources));
    }

    @Override
    public String writeJson(List<? extends Resource> resources) {
        return GoJsonWriter.indented(tree(resources)) + "\n";
    }

    @Override
    public <R extends Resource> R validate(R resource) throws InvalidResourceException {
        R defaulted = io.weft.codec.Defaults.apply(resource);
        io.weft.codec.ResourceValidator.validate(defaulted);
        return defaulted;
    }

    @Override
    public byte[] toStoredBytes(Resource resource) {
        // IPAM's own kinds, written on every pod start, take a direct path (StoredIpamJson)
        Objects.requireNonNull(resource, "resource");
        byte[] direct = StoredIpamJson.write(resource);
        if (direct != null) {
            return direct;
        }
        return toStoredBytesGeneric(resource);
    }

    /** The general writer for stored values; {@link StoredIpamJson} writes the same bytes. */
    static byte[] toStoredBytesGeneric(Resource resource) {
        return GoJsonWriter.compact(ResourceEncoder.resource(resource)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a stored value. Fields this version does not know (written by a newer Weft) are
     * skipped rather than fatal, and values are not re-validated: they were validated when
     * written, and a stricter rule must not make existing data unreadable.
     */
    @Override
    public Resource fromStoredBytes(byte[] bytes) throws InvalidResourceException {
        Objects.requireNonNull(bytes, "bytes");
        Resource direct = StoredIpamJson.read(bytes);
        if (direct != null) {
            return direct;
        }
        return fromStoredBytesGeneric(bytes);
    }

    /** The general reader for stored values; {@link StoredIpamJson} must agree with it. */
    static Resource fromStoredBytesGeneric(byte[] bytes) throws InvalidResourceException {
        List<WireNode> documents;
        try {
            documents = WireTreeReader.documents(new String(bytes, StandardCharsets.UTF_8));
        } catch (WireTreeReader.MalformedTextException e) {
            throw new InvalidResourceException(List.of("stored value: " + e.getMessage()));
        }
        if (documents.size() != 1) {
            throw new InvalidResourceException(List.of("stored value: expected one resource, found "
                    + documents.size() + " documents"));
        }
        DecodeContext context = new DecodeContext(false);
        List<ResourceDecoder.Decoded> decoded = new ResourceDecoder(context).document(documents.get(0), "stored value");
        if (!context.problems().isEmpty()) {
            throw new InvalidResourceException(context.problems());
        }
        if (decoded.size() != 1) {
            throw new InvalidResourceException(List.of("stored value: expected one resource, found " + decoded.size()));
        }
        return Defaults.apply(decoded.get(0).resource());
    }

    private static Map<String, Object> tree(List<? extends Resource> resources) {
        Objects.requireNonNull(resources, "resources");
        return resources.size() == 1 ? ResourceEncoder.resource(resources.get(0)) : ResourceEncoder.list(resources);
    }
}
