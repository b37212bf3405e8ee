package io.github.springipc.messaging;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.core.util.RecyclerPool;
import tools.jackson.databind.json.JsonMapper;

/**
 * The mapper of the IPC converter's direct JSON route: a copy of the application's mapper,
 * rebuilt from its own builder state (every module, feature and setting), whose factory takes
 * buffers from a {@link ThreadAwareRecyclerPool} instead of Jackson's default pool.
 *
 * <p>The application's choice wins: a mapper whose class, or whose factory's class, is a subclass,
 * or a factory given a recycler pool other than a deque pool of its own (Jackson's default, which
 * can not be told apart from the same pool chosen explicitly), is used as it is; so is a mapper
 * that can not be rebuilt. Rebuilding sets each module up again, as {@link JsonMapper#rebuild()}
 * always does.
 */
final class RecyclingJsonMapper {

    private static final Log logger = LogFactory.getLog(RecyclingJsonMapper.class);

    private RecyclingJsonMapper() {
    }

    /** The copy for the direct route, or {@code mapper} itself when the application chose its pool or types. */
    static JsonMapper copyOf(JsonMapper mapper) {
        if (mapper.getClass() != JsonMapper.class) {
            return mapper;
        }
        JsonFactory factory = mapper.tokenStreamFactory();
        if (factory.getClass() != JsonFactory.class || !isJacksonDefault(factory._getRecyclerPool())) {
            return mapper;
        }
        try {
            JsonFactory recycling = factory.rebuild().recyclerPool(new ThreadAwareRecyclerPool()).build();
            return new CopyBuilder(mapper, recycling).build();
        }
        catch (RuntimeException ex) {
            // e.g. a module that can not be set up twice: the mapper itself still works
            logger.debug("IPC JSON conversion uses the application's JsonMapper as it is: it could not be rebuilt", ex);
            return mapper;
        }
    }

    /**
     * Whether {@code pool} is what a factory gets when nobody chose: a deque pool of its own
     * (Jackson's shared one, or any other kind, is somebody's choice).
     */
    static boolean isJacksonDefault(RecyclerPool<?> pool) {
        return pool != null && pool.getClass() == JsonRecyclerPools.ConcurrentDequePool.class
                && pool != JsonRecyclerPools.sharedConcurrentDequePool();
    }

    /**
     * {@link JsonMapper#rebuild()} with another stream factory: the builder's factory is a
     * protected field, open to subclasses, and has no setter.
     */
    private static final class CopyBuilder extends JsonMapper.Builder {

        CopyBuilder(JsonMapper mapper, JsonFactory factory) {
            super(new JsonMapper.Builder.StateImpl(mapper.rebuild()));
            this._streamFactory = factory;
        }
    }
}
