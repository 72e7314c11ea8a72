"""The portal's five services. Each imports `shared` and itself, never a sibling."""
