package io.weft.api.resource;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import io.weft.api.model.Resource;

/**
 * Reads and writes resources in the YAML and JSON users write for calicoctl: single documents,
 * multi-document YAML and {@code List} kinds. Unknown fields are errors, so a typo never silently
 * does nothing.
 */
@ProviderType
public interface ResourceCodec {

    /**
     * Applies Calico's create-time defaults and validation to a resource built in code (what
     * {@link #read} does for text), returning the defaulted resource.
     */
    <R extends Resource> R validate(R resource) throws InvalidResourceException;

    /** Parses one or many resources from YAML or JSON text. */
    List<Resource> read(String text) throws InvalidResourceException;

    /** Writes resources as YAML (a {@code List} when more than one). */
    String writeYaml(List<? extends Resource> resources);

    /** Writes resources as JSON (a {@code List} when more than one). */
    String writeJson(List<? extends Resource> resources);

    /** The compact JSON stored in the datastore for one resource. */
    byte[] toStoredBytes(Resource resource);

    /** Reads what {@link #toStoredBytes} wrote. */
    Resource fromStoredBytes(byte[] bytes) throws InvalidResourceException;
}
