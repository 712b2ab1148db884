"""What happens at a time: reminders and their dispatcher, trainings; imports only messaging and storage."""
