"""Loading, building, storing, querying and the networkx view of a dataset."""
