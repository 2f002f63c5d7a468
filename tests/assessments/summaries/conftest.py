from tests.assessments.summaries.world import eager, world  # noqa: F401  (fixtures)
