"""The owner's settings area: the practice, locations and rooms, services, practitioners, hours, staff."""
