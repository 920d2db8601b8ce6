"""The graph as networkx: entities, paths, neighbourhoods, centrality, subgraphs."""
