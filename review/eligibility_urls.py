"""URLs of the eligibility screens (names live in the "review" namespace)."""
urlpatterns = []
