"""URLs of the prereview screens (names live in the "review" namespace)."""
urlpatterns = []
