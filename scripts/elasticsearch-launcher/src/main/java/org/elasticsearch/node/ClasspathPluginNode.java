package org.elasticsearch.node;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;

import java.util.Collection;
import java.util.List;

/**
 * A Node whose plugins are classes on the classpath.
 *
 * It sits in org.elasticsearch.node because Node(NodeConstruction), NodeConstruction.prepareConstruction and
 * NodeServiceProvider are package-private. This form matches Elasticsearch 8.12 to 8.17.
 */
public class ClasspathPluginNode extends Node {
    public ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> pluginClasses) {
        super(NodeConstruction.prepareConstruction(environment, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment nodeEnvironment, Settings settings) {
                return new ClasspathPluginsService(settings, nodeEnvironment.configFile(), List.copyOf(pluginClasses));
            }
        }, true));
    }
}
