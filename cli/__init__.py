"""The kinerja command line."""
