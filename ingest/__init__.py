"""Everything before the warehouse: the LinkedIn Ads dlt source, the pipeline and the sandbox."""
