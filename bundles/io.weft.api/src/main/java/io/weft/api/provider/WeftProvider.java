package io.weft.api.provider;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Names the implementation a provider component offers for its SPI, as the service property
 * {@value #PROPERTY} (for example {@code embedded} or {@code etcd} for a datastore, {@code vxlan}
 * for an encapsulation).
 *
 * <p>Consumers select providers with LDAP targets such as {@code (weft.provider=etcd)}, and
 * {@code weft:status} shows the value, so that operators see which implementation is live
 * without knowing bundle names. Annotate a DS component with {@code @WeftProvider("embedded")}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface WeftProvider {
    /** The service property that carries the implementation name. */
    String PROPERTY = "weft.provider";

    /** The implementation name, lower case, as operators write it (e.g. {@code embedded}). */
    String value();
}
