def course(preprocessor):
    """The course's folders as nbgrader's configuration (nbgrader_config.py) sets them."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=preprocessor.config)
