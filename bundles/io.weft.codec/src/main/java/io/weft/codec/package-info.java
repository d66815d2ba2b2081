/**
 * Calico's defaulting and validation rules for projectcalico.org/v3 resources, shared by the codec
 * (which applies them to everything it reads), the typed resource store and the console commands.
 * The YAML/JSON codec itself is the {@link io.weft.api.resource.ResourceCodec} service this bundle
 * registers.
 */
@Version("0.1.0")
@Export
package io.weft.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
