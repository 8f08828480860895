package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One setting. As in Longhorn, the value sits at the top level ({@code value}), not in a spec;
 * the spec type is unused.
 */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhs")
@AdditionalPrinterColumn(name = "Value", jsonPath = ".value")
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.applied", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Setting extends CustomResource<Void, SettingStatus> implements Namespaced {
    private String value = "";

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value == null ? "" : value;
    }

    @Override
    protected SettingStatus initStatus() {
        return new SettingStatus();
    }
}
